#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A connection's receive buffer, kept for the connection's life so a read costs no allocation:
/// bytes land in `storage[end...]` and requests are parsed from `storage[start..<end]`.
struct ReadBuffer {
  static let initialSize = 4096
  /// An idle connection gives back a buffer that a large body grew past this.
  static let retainedSize = 64 * 1024

  private(set) var storage: [UInt8] = []
  private(set) var start = 0
  private(set) var end = 0

  var count: Int { end - start }
  var isEmpty: Bool { start == end }
  var bytes: ArraySlice<UInt8> { storage[start..<end] }

  func byte(at offset: Int) -> UInt8 { storage[start + offset] }

  /// The first `n` unread bytes as a new array.
  func prefix(_ n: Int) -> [UInt8] { Array(storage[start..<(start + n)]) }

  mutating func consume(_ n: Int) {
    start += n
    if start == end { start = 0; end = 0 }
  }

  mutating func removeAll() {
    start = 0
    end = 0
    if storage.count > ReadBuffer.retainedSize { storage = [] }
  }

  /// Replaces the (empty) contents with `bytes` (what a chunked decoder read past its body).
  mutating func restore(_ bytes: ArraySlice<UInt8>) {
    removeAll()
    guard !bytes.isEmpty else { return }
    reserve(bytes.count)
    storage.withUnsafeMutableBufferPointer { p in _ = UnsafeMutableBufferPointer(rebasing: p[0..<bytes.count]).initialize(from: bytes) }
    end = bytes.count
  }

  /// One `recv` into the free space (growing it first if less than `minimum` is free).
  /// Returns recv's result and how much room it was offered.
  mutating func receive(from fd: Int32, minimum: Int = 2048) -> (result: Int, offered: Int) {
    reserve(minimum)
    let offered = storage.count - end
    let n = storage.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + end, offered, 0) }
    if n > 0 { end += n }
    return (n, offered)
  }

  /// Reads and throws away what is available (a closing connection's leftover upload).
  mutating func discard(from fd: Int32) -> Int {
    removeAll()
    reserve(ReadBuffer.initialSize)
    return storage.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
  }

  private mutating func reserve(_ minimum: Int) {
    if storage.count - end >= minimum { return }
    if start > 0 {
      let n = count
      storage.withUnsafeMutableBytes { p in _ = memmove(p.baseAddress!, p.baseAddress! + start, n) }
      start = 0
      end = n
      if storage.count - end >= minimum { return }
    }
    let size = Swift.max(ReadBuffer.initialSize, storage.count * 2, end + minimum)
    storage.append(contentsOf: repeatElement(0, count: size - storage.count))
  }
}
