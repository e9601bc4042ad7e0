/// A URL taken from a payload (SNS `SigningCertURL`, `SubscribeURL`, a certificate's issuer
/// URL), parsed strictly so it can be matched against a host allow-list before kcd requests it:
/// anything a lenient parser might read differently (user info, ports, backslashes, spaces,
/// percent-encoded hosts) is refused rather than interpreted.
struct PayloadURL: Sendable, Equatable {
  let scheme: String
  /// Lower-cased.
  let host: String
  /// The path without query or fragment; "/" when empty.
  let path: String
  /// The raw query, without the `?`.
  let query: String

  init?(_ text: String) {
    guard text.utf8.count <= 4096,
          text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "#") }),
          let schemeEnd = text.firstRange(of: "://") else { return nil }
    scheme = text[..<schemeEnd.lowerBound].lowercased()
    let rest = text[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
    let authority = rest[..<authorityEnd].lowercased()
    // No user info, no port, nothing but host-name characters.
    guard !authority.isEmpty, authority.utf8.allSatisfy({ c in
      (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46
    }), !authority.hasPrefix("."), !authority.hasSuffix("."), !authority.contains("..") else { return nil }
    host = authority
    let tail = rest[authorityEnd...]
    if let q = tail.firstIndex(of: "?") {
      path = tail[..<q].isEmpty ? "/" : String(tail[..<q])
      query = String(tail[tail.index(after: q)...])
    } else {
      path = tail.isEmpty ? "/" : String(tail)
      query = ""
    }
  }

  /// `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`, the region one DNS label
  /// of lower-case letters, digits and inner hyphens (the AWS SDKs' validators).
  var isSNSHost: Bool {
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    let tail = labels.dropFirst(2)
    guard labels.count >= 4, labels[0] == "sns", tail == ["amazonaws", "com"] || tail == ["amazonaws", "com", "cn"] else { return false }
    let region = labels[1]
    return region.count >= 3 && !region.hasPrefix("-") && !region.hasSuffix("-")
      && region.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
  }

  var isChinaPartition: Bool { host.hasSuffix(".amazonaws.com.cn") }
}
