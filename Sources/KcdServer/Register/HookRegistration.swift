/// One sender's registration through its API: the requests a dry run shows, and the
/// idempotent apply (read, then create or update only what differs).
protocol HookRegistration: Sendable {
  func shown() -> [ShownRequest]
  func apply() throws -> [RegisterOutcome]
}
