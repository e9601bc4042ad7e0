@testable import KcdHTTP
import Testing

/// The body budget's arithmetic: the listener's limit, half of it per peer, and the small
/// bodies' lane once the main budget is full.
@Suite struct BodyBudgetUnitTests {
  let mib = 1 << 20

  @Test func onePeerTakesAtMostHalfAndTheLimitHolds() throws {
    let budget = BodyBudget(limit: 64 * mib)
    var held: [BodyBudget.Reservation] = []
    while let r = budget.reserve(mib, peer: "10.0.0.1:4000") { held.append(r) }
    #expect(held.count == 32)
    for i in 0..<32 { #expect(budget.reserve(mib, peer: "10.0.1.\(i):4000") != nil) }
    #expect(budget.reserve(mib, peer: "10.0.2.1:4000") == nil, "the main budget is full")
    for r in held { budget.release(r, peer: "10.0.0.1:4000") }
    #expect(budget.reserve(mib, peer: "10.0.2.1:4000") != nil)
  }

  @Test func smallBodiesHaveALaneWhenLargeOnesFillTheBudget() throws {
    let budget = BodyBudget(limit: 64 * mib)
    // 64 peers fill the main budget with 1 MiB uploads.
    for i in 0..<64 { #expect(budget.reserve(mib, peer: "10.0.1.\(i):4000") != nil) }
    #expect(budget.reserve(mib, peer: "10.9.9.9:1") == nil)
    // A CI callback still fits, in the small lane, and gives its bytes back there.
    let callback = try #require(budget.reserve(600, peer: "10.9.9.9:1"))
    #expect(callback.small)
    #expect(budget.inUse == 64 * mib + 600)
    budget.release(callback, peer: "10.9.9.9:1")
    #expect(budget.inUse == 64 * mib)
    // The lane is bounded too (8 MiB, half per peer) and takes nothing over 64 KiB.
    #expect(budget.reserve(BodyBudget.smallBody + 1, peer: "10.9.9.9:1") == nil)
    var small = 0
    while budget.reserve(BodyBudget.smallBody, peer: "10.9.9.8:1") != nil { small += 1 }
    #expect(small == 64, "one peer takes half of the 8 MiB lane")
  }
}
