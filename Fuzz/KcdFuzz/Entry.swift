#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry points. One executable holds every harness; `KCD_FUZZ_HARNESS` names the
/// one a run exercises (`list` prints their names), so one instrumented build serves them all.
nonisolated(unsafe) var selected: Harness?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
  let name = getenv("KCD_FUZZ_HARNESS").map { String(cString: $0) } ?? ""
  if name == "list" {
    for h in Harnesses.all { print(h.name) }
    exit(0)
  }
  guard let harness = Harnesses.all.first(where: { $0.name == name }) else {
    let names = Harnesses.all.map(\.name).joined(separator: " ")
    let message = Array("KCD_FUZZ_HARNESS must name one of: \(names)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
  }
  selected = harness
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  selected?.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
