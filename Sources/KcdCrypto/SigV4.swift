import KcdCore

/// An AWS access key pair, plus the session token that temporary credentials (STS, IRSA, EKS
/// Pod Identity) come with. `description` shows neither the secret nor the token.
public struct AWSSigningCredentials: Sendable, Equatable, CustomStringConvertible {
  public let accessKeyID: String
  public let secretAccessKey: String
  public let sessionToken: String?

  public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Only the first four characters of the key id (enough to tell keys apart in a log line).
  public var description: String {
    "AWS credentials \(accessKeyID.prefix(4))…\(sessionToken == nil ? "" : " (temporary)")"
  }
}

/// The parts of an HTTP request that SigV4 covers. Every header listed here is signed; add
/// headers that must stay unsigned (`User-Agent`, `Accept-Encoding`) to the HTTP request only.
public struct SigV4Request: Sendable {
  public var method: String
  /// The path as sent on the wire; the canonical URI encodes it once more (AWS's rule for every
  /// service except S3), so a raw `/example space/` signs as `/example%20space/`.
  public var path: String
  /// The query string as sent, without `?`; pairs are decoded, re-encoded strictly and sorted.
  public var query: String
  /// Must include `Host` exactly as the client sends it (a port only when it is not the default).
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]

  public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8] = []) {
    self.method = method
    self.path = path
    self.query = query
    self.headers = headers
    self.body = body
  }
}

/// Everything a signing produced: the intermediate texts (for tests and for explaining a
/// `SignatureDoesNotMatch`) and the headers to send.
public struct SigV4Signature: Sendable {
  public let canonicalRequest: String
  public let stringToSign: String
  /// Lower-case hex.
  public let signature: String
  /// `content-type;host;x-amz-date;…`
  public let signedHeaders: String
  public let authorization: String
  /// Headers the request must carry besides its own: `X-Amz-Date`, `X-Amz-Security-Token` for
  /// temporary credentials, `x-amz-content-sha256` when asked for, and `Authorization`.
  public let headers: [(name: String, value: String)]
}

/// AWS Signature Version 4 (header form): canonical request, string to sign, the HMAC chain
/// that derives the signing key, and the `Authorization` header.
public struct SigV4Signer: Sendable {
  public let region: String
  public let service: String
  /// Drops empty, `.` and `..` path segments before encoding, as every service but S3 expects.
  public var normalizesPath = true
  /// Adds and signs `x-amz-content-sha256` (S3 style; ECR and STS do not need it).
  public var addsContentHashHeader = false

  public init(region: String, service: String) {
    self.region = region
    self.service = service
  }

  public func sign(_ request: SigV4Request, credentials: AWSSigningCredentials, at time: Double) -> SigV4Signature {
    let amzDate = SigV4Signer.amzDate(time)
    let dateStamp = String(amzDate.prefix(8))
    let payloadHash = Digest.hex(Digest.sha256(request.body))

    // Headers the signer owns replace any the caller set, so a retry re-signed later never
    // carries two dates.
    var added: [(name: String, value: String)] = [("X-Amz-Date", amzDate)]
    if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
    if addsContentHashHeader { added.append(("x-amz-content-sha256", payloadHash)) }
    // Every name lower-cased once, here.
    let lowered = added.map { (name: SigV4Signer.lowercasedName($0.name), value: $0.value) }
    let owned = Set(lowered.map(\.name))
    let headers = request.headers.map { (name: SigV4Signer.lowercasedName($0.name), value: $0.value) }.filter { !owned.contains($0.name) } + lowered

    let (canonicalHeaders, signedHeaders) = SigV4Signer.canonicalHeaders(lowercased: headers)
    let canonicalRequest = [
      request.method,
      SigV4Signer.canonicalURI(request.path, normalize: normalizesPath),
      SigV4Signer.canonicalQuery(request.query),
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].joined(separator: "\n")

    let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
    let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Digest.hex(Digest.sha256(Array(canonicalRequest.utf8)))].joined(separator: "\n")
    let key = SigV4Signer.signingKey(secretAccessKey: credentials.secretAccessKey, dateStamp: dateStamp, region: region, service: service)
    let signature = Digest.hex(Digest.hmacSHA256(key: key, message: Array(stringToSign.utf8)))
    let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    return SigV4Signature(
      canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, signedHeaders: signedHeaders,
      authorization: authorization, headers: added + [("Authorization", authorization)])
  }

  /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
  public static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> [UInt8] {
    var key = Digest.hmacSHA256(key: Array(("AWS4" + secretAccessKey).utf8), message: Array(dateStamp.utf8))
    for part in [region, service, "aws4_request"] { key = Digest.hmacSHA256(key: key, message: Array(part.utf8)) }
    return key
  }

  /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
  public static func amzDate(_ time: Double) -> String {
    String(Timestamps.rfc3339(time).filter { $0 != "-" && $0 != ":" })
  }

  /// A header name lower-cased: byte by byte when it is ASCII (as every HTTP field name is), by
  /// Unicode's rules otherwise, which give the same result for ASCII at many times the cost.
  static func lowercasedName(_ name: String) -> String {
    name.utf8.allSatisfy { $0 < 0x80 } ? ASCII.lowercased(name) : name.lowercased()
  }

  /// Names (lower-cased by the caller) sorted, one line per name; values trimmed with inner runs
  /// of spaces collapsed, and repeated fields joined with `,` in the order they were given.
  static func canonicalHeaders(lowercased headers: [(name: String, value: String)]) -> (text: String, signed: String) {
    var order: [String] = []
    var values: [String: [String]] = [:]
    for (key, value) in headers {
      if values[key] == nil { order.append(key) }
      values[key, default: []].append(collapsedSpaces(value))
    }
    let names = order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    let text = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
    return (text, names.joined(separator: ";"))
  }

  static func collapsedSpaces(_ value: String) -> String {
    // Most values have no space to trim or collapse: returned as they are, without a copy.
    if !value.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return value }
    var out: [UInt8] = []
    out.reserveCapacity(value.utf8.count)
    var pendingSpace = false
    for c in value.utf8 {
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
        pendingSpace = !out.isEmpty
        continue
      }
      if pendingSpace { out.append(0x20); pendingSpace = false }
      out.append(c)
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func canonicalURI(_ path: String, normalize: Bool) -> String {
    var p = path.isEmpty ? "/" : path
    if normalize { p = normalizedPath(p) }
    return uriEncode(p, keepSlash: true)
  }

  /// RFC 3986 dot-segment removal plus empty segments dropped; a trailing `/` is kept. Split on
  /// the byte `/` (as AWS does), not on characters: a `/` followed by a combining mark is one
  /// `Character` but still two segments on the wire.
  static func normalizedPath(_ path: String) -> String {
    var segments: [Substring.UTF8View] = []
    for segment in path.utf8.split(separator: 0x2F, omittingEmptySubsequences: true) {
      if segment.elementsEqual(".".utf8) { continue }
      if segment.elementsEqual("..".utf8) { if !segments.isEmpty { segments.removeLast() }; continue }
      segments.append(segment)
    }
    guard !segments.isEmpty else { return "/" }
    var out: [UInt8] = []
    out.reserveCapacity(path.utf8.count + 1)
    for segment in segments {
      out.append(0x2F)
      out.append(contentsOf: segment)
    }
    if path.utf8.last == 0x2F { out.append(0x2F) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Pairs split on the bytes `&` and `=` (not on characters, for the reason `normalizedPath`
  /// gives), each side decoded and re-encoded strictly.
  static func canonicalQuery(_ query: String) -> String {
    var pairs: [(name: String, value: String)] = []
    for piece in query.utf8.split(separator: 0x26, omittingEmptySubsequences: true) {
      let name: Substring.UTF8View, value: Substring.UTF8View
      if let eq = piece.firstIndex(of: 0x3D) {
        name = piece[..<eq]
        value = piece[piece.index(after: eq)...]
      } else {
        name = piece
        value = piece[piece.endIndex...]
      }
      pairs.append((uriEncode(bytes: percentDecoded(name), keepSlash: false), uriEncode(bytes: percentDecoded(value), keepSlash: false)))
    }
    // Byte order, compared in place (no copy per comparison: a query may have many pairs).
    pairs.sort { a, b in
      a.name == b.name ? a.value.utf8.lexicographicallyPrecedes(b.value.utf8) : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }
    return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
  }

  /// Every byte but `A-Z a-z 0-9 - _ . ~` (and `/` in paths) as `%XX`, upper-case hex.
  public static func uriEncode(_ text: String, keepSlash: Bool) -> String { uriEncode(bytes: text.utf8, keepSlash: keepSlash) }

  static func uriEncode(bytes: some Collection<UInt8>, keepSlash: Bool) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    for c in bytes {
      switch c {
      case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: out.append(c)
      case 0x2F where keepSlash: out.append(c)
      default:
        out.append(0x25)
        out.append(hexDigit(c >> 4))
        out.append(hexDigit(c & 15))
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// An upper-case hex digit for 0...15.
  static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x37 + v }

  /// `%XX` escapes decoded (invalid ones kept literally); `+` stays `+`.
  static func percentDecoded(_ text: Substring.UTF8View) -> [UInt8] {
    let bytes = Array(text)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
      if bytes[i] == 0x25, i + 2 < bytes.count, let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
        out.append(h << 4 | l)
        i += 3
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    return out
  }

  static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x37
    case 0x61...0x66: return c - 0x57
    default: return nil
    }
  }
}
