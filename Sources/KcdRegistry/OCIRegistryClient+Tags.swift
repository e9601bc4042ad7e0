import KcdHTTP
import KcdJSON

extension OCIRegistryClient {
  /// Every tag, following `Link: <…>; rel="next"` pages, in the registry's order (registries
  /// differ: creation order, lexical, or directory order; sort where order matters).
  public func tags(repository: String) throws(RegistryError) -> [String] {
    try tags(repository: repository, pageSize: nil)
  }

  /// As `tags(repository:)`, asking for `pageSize` tags per page (`?n=`); a registry may
  /// ignore it (Distribution 2.8 does) and send everything at once.
  public func tags(repository: String, pageSize: Int?) throws(RegistryError) -> [String] {
    let name = try ImageName(repository)
    let base = baseURL(name)
    var url = base + "/v2/" + name.path + "/tags/list" + (pageSize.map { "?n=\(max(1, $0))" } ?? "")
    var visited: Set<String> = []
    var result: [String] = []
    var seen: Set<String> = []
    var headers = HTTPHeaders()
    headers.set("Accept", "application/json")
    while true {
      visited.insert(url)
      let response = try registryRequest("GET", name, url: url, scope: OCIRegistryClient.pullScope(name), headers: headers)
      guard response.status == 200 else { throw failure(response, name, "repository \(name.path)") }
      guard let document = try? JSON.parse(response.body), document.objectValue != nil else {
        throw RegistryError(.badResponse, "\(name.registry) sent a tag list for \(name.path) that is not a JSON object")
      }
      for tag in document["tags"].arrayValue ?? [] {
        if let t = tag.stringValue, seen.insert(t).inserted { result.append(t) }
      }
      guard let next = LinkHeader.next(response.headers.values("Link")) else { return result }
      url = try OCIRegistryClient.resolveLink(next, base: base, current: url, registry: name.registry)
      guard !visited.contains(url), visited.count < 10_000 else {
        throw RegistryError(.badResponse, "\(name.registry) keeps sending next-page links for \(name.path) (loop at \(visited.count) pages)")
      }
    }
  }

  /// Tags whose manifest digest equals that of tag `version` (`version` first). One `HEAD`
  /// per tag; tags deleted meanwhile are skipped.
  public func tags(repository: String, sameDigestAs version: String) throws(RegistryError) -> [String] {
    let target = try resolve(repository: repository, tag: version).digest
    var matching = [version]
    for tag in try tags(repository: repository) where tag != version {
      do {
        if try resolve(repository: repository, tag: tag).digest == target { matching.append(tag) }
      } catch where error.isNotFound {
        continue
      }
    }
    return matching
  }

  /// A `Link` target made absolute. Only links to the registry itself are followed: a
  /// pagination link must never carry our credentials to another host.
  static func resolveLink(_ target: String, base: String, current: String, registry: String) throws(RegistryError) -> String {
    if target.hasPrefix("http://") || target.hasPrefix("https://") {
      guard target == base || target.hasPrefix(base + "/") || target.hasPrefix(base + "?") else {
        throw RegistryError(.badResponse, "\(registry) sent a next-page link to another host (\(authority(target)))")
      }
      return target
    }
    if target.hasPrefix("/") { return base + target }
    let path = current.split(separator: "?", maxSplits: 1).first.map(String.init) ?? current
    let directory = path[...(path.lastIndex(of: "/") ?? path.startIndex)]
    return String(directory) + target
  }
}
