/// Image repository names in one canonical form so an event and a KCD's `imageRepo` compare
/// equal however each was written: lower-case host, Docker Hub's `docker.io` and `library/`
/// rules, no tag or digest.
public enum RepositoryName {
  public static let dockerHub = "docker.io"

  /// `nginx` → `docker.io/library/nginx`; `index.docker.io/foo/bar` → `docker.io/foo/bar`;
  /// `Registry.Example:5000/team/app` → `registry.example:5000/team/app`.
  public static func normalize(_ name: String) -> String {
    // Most names arrive canonical already (every webhook, every KCD): say so without rebuilding.
    if isCanonical(name) { return name }
    return rebuilt(name)
  }

  /// The canonical form, built part by part.
  static func rebuilt(_ name: String) -> String {
    var s = name.trimmingSpaces()
    if let at = s.firstIndex(of: "@") { s = String(s[..<at]) }
    var parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if let last = parts.last, let colon = last.lastIndex(of: ":") {
      parts[parts.count - 1] = String(last[..<colon])
    }
    let first = parts.first ?? ""
    let hasHost = parts.count > 1 && (first.contains(".") || first.contains(":") || first == "localhost")
    var host = hasHost ? first.lowercased() : dockerHub
    var path = hasHost ? Array(parts.dropFirst()) : parts
    if host == "index.docker.io" || host == "registry-1.docker.io" { host = dockerHub }
    if host == dockerHub && path.count == 1 { path.insert("library", at: 0) }
    return ([host] + path).joined(separator: "/")
  }

  /// Registry host of a normalised name.
  public static func host(_ normalized: String) -> String {
    guard let slash = normalized.utf8.firstIndex(of: UInt8(ascii: "/")) else { return normalized }
    return String(normalized[..<slash])
  }

  /// Whether `normalize` would return the name unchanged: a lower-case host with a dot, a port
  /// or `localhost`, at least one path segment, no tag, no digest, no surrounding spaces, and not
  /// one of Docker Hub's other names or a Docker Hub name without its `library/`.
  static func isCanonical(_ name: String) -> Bool {
    let b = name.utf8
    guard let slash = b.firstIndex(of: UInt8(ascii: "/")), slash != b.startIndex else { return false }
    var hostHasMarker = false
    for c in b[..<slash] {
      if c >= 65 && c <= 90 { return false }
      if c == UInt8(ascii: ".") || c == UInt8(ascii: ":") { hostHasMarker = true }
      if c == 32 || c == 9 || c == 10 || c == 13 { return false }
    }
    let host = name[..<slash]
    if !hostHasMarker && host != "localhost" { return false }
    if host == "index.docker.io" || host == "registry-1.docker.io" { return false }
    var lastSlash = slash
    var i = b.index(after: slash)
    while i < b.endIndex {
      let c = b[i]
      if c == UInt8(ascii: "@") || c == 32 || c == 9 || c == 10 || c == 13 { return false }
      if c == UInt8(ascii: "/") { lastSlash = i }
      i = b.index(after: i)
    }
    if b[b.index(after: lastSlash)...].contains(UInt8(ascii: ":")) { return false }
    if host == dockerHub && lastSlash == slash { return false }
    return b.index(after: slash) < b.endIndex
  }

  /// Whether a repository name has only the characters the distribution spec allows.
  /// The distribution reference grammar for a name (distribution/reference `reference.go`):
  /// `[domain "/"] path-component ("/" path-component)*`, a path component being lower-case
  /// alphanumerics joined by `.`, `_`, `__` or runs of `-`; the domain (the first component, when
  /// more follow and it could not be a path component, or it has a `.`, a `:` or is
  /// `localhost`) is DNS labels, upper case allowed, with an optional port. Like the reference
  /// parser (which reads the name after adding Docker Hub's `docker.io/library/`), the name in
  /// its canonical form is at most 255 characters.
  public static func isValid(_ name: String) -> Bool {
    var name = name
    // One pass over the bytes, nothing allocated: this runs on every webhook.
    return name.withUTF8 { b in
      // Docker Hub's other host names are longer than `docker.io`: a cheap bound first, the exact one below.
      guard !b.isEmpty, b.count <= 2 * maximumLength else { return false }
      var start = 0
      var host: UnsafeBufferPointer<UInt8>?
      if let slash = b.firstIndex(of: UInt8(ascii: "/")) {
        let first = UnsafeBufferPointer(rebasing: b[..<slash])
        let marked = first.contains(UInt8(ascii: ".")) || first.contains(UInt8(ascii: ":")) || first.elementsEqual("localhost".utf8)
        if marked || !isPathComponent(first) {
          // The grammar reads `Registry/app` as host `Registry`; Docker (and kcd's normalising)
          // would read it as Docker Hub's `docker.io/Registry/app`: refused rather than guessed.
          guard marked, isDomain(first) else { return false }
          start = slash + 1
          host = first
        }
      }
      guard canonicalLength(b, host: host, pathStart: start) <= maximumLength else { return false }
      // The path: components separated by single slashes.
      var from = start
      while true {
        let to = b[from...].firstIndex(of: UInt8(ascii: "/")) ?? b.endIndex
        guard isPathComponent(UnsafeBufferPointer(rebasing: b[from..<to])) else { return false }
        if to == b.endIndex { return true }
        from = to + 1
      }
    }
  }

  /// distribution/reference's `NameTotalLengthMax`.
  static let maximumLength = 255

  /// The length `normalize` gives a name the grammar accepts: Docker Hub's other host names
  /// become `docker.io`, a name without a host gains `docker.io/`, and a one-component Docker
  /// Hub path gains `library/`.
  static func canonicalLength(_ b: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>?, pathStart: Int) -> Int {
    let path = b.count - pathStart
    var hub = true
    var hostLength = dockerHub.utf8.count
    if let host {
      // `normalize` lower-cases the host before it compares.
      func named(_ s: String) -> Bool { host.elementsEqual(s.utf8) { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 } }
      let other = named("index.docker.io") || named("registry-1.docker.io")
      hub = other || named(dockerHub)
      if !other { hostLength = host.count }
    }
    let oneComponent = !b[pathStart...].contains(UInt8(ascii: "/"))
    return hostLength + 1 + (hub && oneComponent ? "library/".utf8.count : 0) + path
  }

  static func isLowerAlphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }

  /// `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*`
  static func isPathComponent(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = b.first, let last = b.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
    var i = 0
    while i < b.count {
      if isLowerAlphanumeric(b[i]) { i += 1; continue }
      // A separator: ".", "_", "__" or any run of "-", then an alphanumeric.
      var j = i
      switch b[i] {
      case 46: j += 1
      case 95: j += b.count > i + 1 && b[i + 1] == 95 ? 2 : 1
      case 45: while j < b.count && b[j] == 45 { j += 1 }
      default: return false
      }
      guard j < b.count, isLowerAlphanumeric(b[j]) else { return false }
      i = j
    }
    return true
  }

  /// `host[:port]`, host being dot-separated labels of letters, digits and inner hyphens.
  static func isDomain(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
    var hostEnd = s.count
    if let colon = s.lastIndex(of: UInt8(ascii: ":")) {
      let port = s[(colon + 1)...]
      guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
      hostEnd = colon
    }
    guard hostEnd > 0 else { return false }
    func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) }
    var from = 0
    while true {
      let to = s[from..<hostEnd].firstIndex(of: UInt8(ascii: ".")) ?? hostEnd
      let label = s[from..<to]
      guard let f = label.first, let l = label.last, alnum(f), alnum(l), label.count <= 63,
            label.allSatisfy({ alnum($0) || $0 == 45 }) else { return false }
      if to == hostEnd { return true }
      from = to + 1
    }
  }

  /// OCI tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
  public static func isValidTag(_ tag: String) -> Bool {
    let b = Array(tag.utf8)
    guard let first = b.first, b.count <= 128 else { return false }
    func word(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 }
    return word(first) && b.dropFirst().allSatisfy { word($0) || $0 == 46 || $0 == 45 }
  }

  /// `sha256:` + 64 lower-case hex digits.
  public static func isValidDigest(_ digest: String) -> Bool {
    let b = Array(digest.utf8)
    guard b.count == 71, digest.hasPrefix("sha256:") else { return false }
    return b.dropFirst(7).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }
}

extension String {
  func trimmingSpaces() -> String {
    var s = self[...]
    while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
    return String(s)
  }
}
