import COpenSSL

/// SHA-256 and HMAC-SHA256 through OpenSSL's one-shot calls.
public enum Digest {
  public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
    let bytes = Array(data)
    var out = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeBufferPointer { b in
      out.withUnsafeMutableBufferPointer { o in _ = SHA256(b.baseAddress, b.count, o.baseAddress) }
    }
    return out
  }

  public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
    let k = Array(key), m = Array(message)
    var out = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 32
    k.withUnsafeBufferPointer { kb in
      m.withUnsafeBufferPointer { mb in
        out.withUnsafeMutableBufferPointer { o in
          // A zero-length key still needs a valid pointer.
          let keyPointer = UnsafeRawPointer(kb.baseAddress) ?? UnsafeRawPointer(bitPattern: 1)!
          _ = HMAC(EVP_sha256(), keyPointer, Int32(kb.count), mb.baseAddress, mb.count, o.baseAddress, &length)
        }
      }
    }
    return out
  }

  /// Lower-case hex.
  public static func hex(_ bytes: some Collection<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Parses hex (either case); nil on anything else.
  public static func fromHex(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func v(_ c: UInt8) -> UInt8? {
      switch c {
      case 48...57: return c - 48
      case 97...102: return c - 87
      case 65...70: return c - 55
      default: return nil
      }
    }
    var out: [UInt8] = []
    var i = 0
    while i < chars.count {
      guard let h = v(chars[i]), let l = v(chars[i + 1]) else { return nil }
      out.append(h << 4 | l)
      i += 2
    }
    return out
  }
}

/// Comparison of secrets in time independent of where they differ (`CRYPTO_memcmp`); only the
/// length, which is not secret, short-circuits.
public enum ConstantTime {
  public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    let x = Array(a), y = Array(b)
    guard x.count == y.count else { return false }
    if x.isEmpty { return true }
    return x.withUnsafeBytes { xb in y.withUnsafeBytes { yb in CRYPTO_memcmp(xb.baseAddress, yb.baseAddress, x.count) == 0 } }
  }

  public static func equal(_ a: String, _ b: String) -> Bool { equal(Array(a.utf8), Array(b.utf8)) }
}

/// Random bytes from OpenSSL's CSPRNG.
public enum SecureRandom {
  public static func bytes(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { _ = RAND_bytes($0.baseAddress, Int32(count)) }
    return out
  }
}
