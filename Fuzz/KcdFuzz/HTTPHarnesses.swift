@testable import KcdHTTP

enum HTTPHarnesses {
  static let all = [
    Harness(name: "http-head") { bytes in
      guard let head = try? HTTPHeadParser.parse(bytes[...]) else { return }
      // What the parser accepts is usable: the target splits, the framing is decided.
      _ = HTTPRequest.split(target: head.target)
      _ = try? HTTPHeadParser.framing(head.headers)
    },
    // The same chunked body fed whole and in two pieces decodes the same, or fails in both.
    Harness(name: "chunked") { bytes in
      guard let first = bytes.first else { return }
      let rest = Array(bytes.dropFirst())
      let cut = rest.isEmpty ? 0 : Int(first) % (rest.count + 1)
      var whole = ChunkedDecoder(maximumBodySize: 1 << 16)
      let wholeResult = Result { () throws(HTTPParseError) -> ArraySlice<UInt8> in try whole.feed(rest[...]) }
      var split = ChunkedDecoder(maximumBodySize: 1 << 16)
      let splitResult = Result { () throws(HTTPParseError) -> ArraySlice<UInt8> in
        let left = try split.feed(rest[..<cut])
        expect(left.isEmpty || split.isComplete, "bytes left over before the body completed")
        return split.isComplete ? left + rest[cut...] : try split.feed(rest[cut...])
      }
      switch (wholeResult, splitResult) {
      case (.success(let a), .success(let b)):
        expect(whole.isComplete == split.isComplete, "completion differs when split at \(cut)")
        if whole.isComplete { expect(whole.body == split.body && Array(a) == Array(b), "body differs when split at \(cut)") }
      case (.failure, .failure): break
      case (.success, .failure(let e)), (.failure(let e), .success):
        // Limits hold however the bytes arrive: one read or two must not change the verdict.
        expect(false, "whole and split (at \(cut)) disagree: \(e)")
      }
    },
  ]
}
