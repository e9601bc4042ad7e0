/// Incremental decoder for `Transfer-Encoding: chunked` request bodies: feed bytes as they
/// arrive, it reports when the body is complete and refuses bad framing or oversize bodies.
public struct ChunkedDecoder: Sendable {
  public let maximumBodySize: Int
  public private(set) var body: [UInt8] = []
  public private(set) var isComplete = false
  var pending: [UInt8] = []
  var state = State.size

  enum State: Sendable { case size, data(Int), dataEnd, trailer }

  public init(maximumBodySize: Int) { self.maximumBodySize = maximumBodySize }

  /// A chunk-size line, extensions included.
  static let maximumHeaderLine = 1024
  /// All trailer lines together.
  static let maximumTrailerBytes = 8192
  var trailerBytes = 0

  /// Consumes bytes; returns how many bytes after the end of the body were not used (pipelined data).
  public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> ArraySlice<UInt8> {
    pending.append(contentsOf: bytes)
    var i = 0
    while !isComplete {
      switch state {
      case .size:
        guard let nl = lineEnd(from: i) else { return leftover(from: i, limit: 1024) }
        // The same limits whether the line came in one read or several.
        guard nl.start - i <= ChunkedDecoder.maximumHeaderLine else { throw .bad("chunk header (with its extensions) too long") }
        let line = pending[i..<nl.start]
        i = nl.next
        let sizePart = line.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        guard !sizePart.isEmpty, sizePart.count <= 16 else { throw .bad("invalid chunk size") }
        var size = 0
        for c in sizePart {
          guard let d = PercentDecoding.hex(c) else { throw .bad("invalid chunk size") }
          // Sixteen hex digits can exceed Int.max: refuse instead of trapping on overflow.
          let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
          guard !overflow else { throw HTTPParseError(status: 413, message: "request body too large") }
          size = shifted + Int(d)
        }
        if size == 0 { state = .trailer } else {
          guard size <= maximumBodySize - body.count else { throw HTTPParseError(status: 413, message: "request body too large") }
          state = .data(size)
        }
      case .data(let size):
        let available = pending.count - i
        if available == 0 { return consumed(i) }
        let n = min(size, available)
        body.append(contentsOf: pending[i..<(i + n)])
        i += n
        state = n == size ? .dataEnd : .data(size - n)
      case .dataEnd:
        if pending.count - i < 2 { return consumed(i) }
        guard pending[i] == 0x0D, pending[i + 1] == 0x0A else { throw .bad("chunk not terminated by CRLF") }
        i += 2
        state = .size
      case .trailer:
        guard let nl = lineEnd(from: i) else { return leftover(from: i, limit: 8192) }
        trailerBytes += nl.next - i
        guard trailerBytes <= ChunkedDecoder.maximumTrailerBytes else { throw HTTPParseError(status: 431, message: "request trailers too large") }
        let empty = nl.start == i
        i = nl.next
        if empty {
          isComplete = true
          let rest = pending[i...]
          pending = []
          return rest
        }
      }
    }
    return []
  }

  mutating func consumed(_ i: Int) -> ArraySlice<UInt8> {
    pending.removeFirst(i)
    return []
  }

  mutating func leftover(from i: Int, limit: Int) -> ArraySlice<UInt8> {
    pending.removeFirst(i)
    return []
  }

  func lineEnd(from i: Int) -> (start: Int, next: Int)? {
    var j = i
    while j < pending.count {
      if pending[j] == 0x0A {
        let start = (j > i && pending[j - 1] == 0x0D) ? j - 1 : j
        return (start, j + 1)
      }
      j += 1
    }
    return nil
  }

  /// Lines too long to be a chunk header are an attack, not a slow client.
  public var pendingIsOversized: Bool {
    switch state {
    case .size: return pending.count > ChunkedDecoder.maximumHeaderLine
    case .trailer: return trailerBytes + pending.count > ChunkedDecoder.maximumTrailerBytes
    default: return false
    }
  }
}
