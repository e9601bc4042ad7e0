import KcdCore
import KcdCrypto
import Testing

/// Known-answer tests from FIPS 180-2 and RFC 4231.
@Suite struct DigestTests {
  @Test("SHA-256 of the FIPS 180-2 examples")
  func sha256() {
    #expect(Digest.hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest.hex(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(Digest.hex(Digest.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test("HMAC-SHA256 RFC 4231 test cases 1, 2 and 6")
  func hmac() {
    let key1 = [UInt8](repeating: 0x0b, count: 20)
    #expect(Digest.hex(Digest.hmacSHA256(key: key1, message: Array("Hi There".utf8)))
      == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    #expect(Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
      == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    let key6 = [UInt8](repeating: 0xaa, count: 131)
    #expect(Digest.hex(Digest.hmacSHA256(key: key6, message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
      == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
  }

  @Test("hex round trip and invalid hex")
  func hex() {
    #expect(Digest.fromHex("00ff10Ab") == [0x00, 0xff, 0x10, 0xab])
    #expect(Digest.fromHex("abc") == nil)
    #expect(Digest.fromHex("zz") == nil)
  }

  @Test("constant-time comparison")
  func constantTime() {
    #expect(ConstantTime.equal("secret", "secret"))
    #expect(!ConstantTime.equal("secret", "secreT"))
    #expect(!ConstantTime.equal("secret", "secret2"))
    #expect(ConstantTime.equal("", ""))
  }

  @Test("random bytes differ")
  func random() {
    #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    #expect(SecureRandom.bytes(16).count == 16)
  }
}
