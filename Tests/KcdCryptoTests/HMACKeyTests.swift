import KcdCore
import KcdCrypto
import Synchronization
import Testing

/// The prepared HMAC key gives exactly what the one-shot call gives: RFC 4231's vectors (short,
/// 64-byte and longer-than-a-block keys), a split message, the empty key, and many threads at once.
@Suite struct HMACKeyTests {
  static func bytes(_ hex: String) -> [UInt8] { Digest.fromHex(hex)! }

  @Test("RFC 4231 test cases 1, 2, 6 and 7", arguments: [
    (String(repeating: "0b", count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    ("4a656665", Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    (String(repeating: "aa", count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    (String(repeating: "aa", count: 131),
     Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
  ])
  func vectors(_ keyHex: String, _ message: [UInt8], _ expected: String) throws {
    let key = try #require(HMACKey(Self.bytes(keyHex)))
    #expect(Digest.hex(key.mac([], message)) == expected)
    #expect(Digest.hex(key.mac(Array(message.prefix(5)), Array(message.dropFirst(5)))) == expected, "split anywhere")
    #expect(Digest.hex(Digest.hmacSHA256(key: Self.bytes(keyHex), message: message)) == expected)
  }

  @Test("an empty key and a 64-byte key agree with the one-shot call")
  func edges() throws {
    for key in [[UInt8](), [UInt8](repeating: 7, count: 64), [UInt8](repeating: 9, count: 65)] {
      let prepared = try #require(HMACKey(key))
      for message in [[UInt8](), Array("x".utf8), [UInt8](repeating: 1, count: 1000)] {
        #expect(prepared.mac([], message) == Digest.hmacSHA256(key: key, message: message))
      }
    }
  }

  @Test("one key used by many threads at once gives every thread the right answer")
  func threads() throws {
    let key = try #require(HMACKey(Array("shared webhook secret".utf8)))
    let wrong = Atomic<Int>(0)
    ParallelWork.run(count: 64, width: 8) { i in
      for n in 0..<200 {
        let message = Array("message \(i) \(n)".utf8)
        if key.mac([], message) != Digest.hmacSHA256(key: Array("shared webhook secret".utf8), message: message) { wrong.wrappingAdd(1, ordering: .relaxed) }
      }
    }
    #expect(wrong.load(ordering: .relaxed) == 0)
  }

  /// Resident bytes of this process (the second field of /proc/self/statm, in pages).
  static func resident() -> Int {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = read(fd, &buffer, buffer.count)
    let fields = String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self).split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  @Test("each thread's working state is freed when the thread ends (threads come and go for ever)")
  func noLeakPerThread() async {
    // In a process of its own, so no other test's allocations blur the count.
    await #expect(processExitsWith: .success) {
      let key = HMACKey(Array("k".utf8))!
      func macOnFreshThreads(_ n: Int) {
        for _ in 0..<n {
          var thread = pthread_t()
          let box = Unmanaged.passRetained(key).toOpaque()
          pthread_create(&thread, nil, { raw in
            let key = Unmanaged<HMACKey>.fromOpaque(raw!).takeRetainedValue()
            _ = key.mac([], [1, 2, 3])
            return nil
          }, box)
          pthread_join(thread, nil)
        }
      }
      macOnFreshThreads(200)
      let before = HMACKeyTests.resident()
      macOnFreshThreads(30_000)
      // A state per thread kept for ever is more than 200 bytes each: over 6 MB here.
      if HMACKeyTests.resident() - before > 2 << 20 { exit(1) }
    }
  }
}

#if canImport(Glibc)
import Glibc
#endif
