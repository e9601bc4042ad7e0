/// Byte-level text helpers for protocol tokens (header names, JSON keys compared without case),
/// where Unicode's rules are neither wanted nor worth their cost.
public enum ASCII {
  /// `A`–`Z` lower-cased byte by byte; every other byte, non-ASCII ones included, as it is.
  public static func lowercased(_ bytes: some Sequence<UInt8>) -> String {
    String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
  }

  public static func lowercased(_ text: some StringProtocol) -> String { lowercased(text.utf8) }
}
