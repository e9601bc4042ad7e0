@testable import KcdController
import KcdHooks
import KcdJSON
import KcdVersionPolicy

/// Version policies, image references and whole KCD specs: what a KCD's author (another
/// tenant) writes and what registries list.
enum PolicyHarnesses {
  static let all = [
    // SemVer: what parses compares consistently.
    Harness(name: "semver") { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
      let versions = parts.prefix(2).compactMap { SemVer($0) }
      if versions.count == 2 {
        let (a, b) = (versions[0], versions[1])
        expect(SemVer.compare(a, b) == -SemVer.compare(b, a), "compare is not antisymmetric")
        expect(SemVer.compare(a, a) == 0, "a version differs from itself")
      }
      if parts.count == 3, let range = try? SemVerRange(parts[2]) {
        for v in versions { _ = range.contains(v) }
      }
    },
    // A version policy (kind, range, extract on the first three lines) choosing among tags.
    Harness(name: "version-policy") { bytes in
      let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      guard lines.count >= 3 else { return }
      let kinds = ["semver", "numeric", "alphabetical"]
      let kind = kinds.first { $0 == lines[0] } ?? kinds[lines[0].utf8.count % kinds.count]
      guard let policy = try? VersionPolicy(kind: kind, range: lines[1].isEmpty ? nil : lines[1], extract: lines[2].isEmpty ? nil : lines[2]) else { return }
      let tags = Array(lines.dropFirst(3).prefix(64))
      if let newest = policy.newest(tags) {
        expect(policy.accepts(newest), "the newest tag is not accepted")
        for t in tags where policy.accepts(t) { expect((policy.compare(newest, t) ?? 0) >= 0, "\(t) is newer than the newest \(newest)") }
      }
    },
    // Image references in workloads and webhooks: normalising is idempotent and keeps validity.
    Harness(name: "image-reference") { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      let normal = RepositoryName.normalize(text)
      if RepositoryName.isValid(text) {
        expect(RepositoryName.isValid(normal), "a valid name normalises to an invalid one: \(text) → \(normal)")
        expect(RepositoryName.normalize(normal) == normal, "normalize is not idempotent for \(text)")
      }
      _ = RepositoryName.isValidTag(text)
      _ = RepositoryName.isValidDigest(text)
      _ = ImagePlan.repository(ofImage: text)
    },
    // `checks:` allow-lists: a check URL (read by kcd and by libcurl, which must agree) and an
    // Image check's reference, as a KCD's author writes them.
    Harness(name: "check-allow-list") { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      if let url = CheckURL(text) {
        expect(CheckAllowList(webhookURLs: [url]).refusal(url: text) == nil, "a URL is outside the prefix it makes: \(text)")
      }
      let check = VerifyStep.ImageCheck(reference: text, timeoutSeconds: 60)
      if let q = CheckAllowList.qualified(text) {
        let list = CheckAllowList(images: [q.repository])
        expect(list.refusal(image: check) == nil, "a reference is outside the list of its own repository: \(text)")
        let image = list.jobImage(check)
        expect(CheckAllowList.qualified(image).map { $0.repository == q.repository && $0.tag == q.tag && $0.digest == q.digest } == true,
               "the Job's image \(image) is not the reference compared: \(text)")
      }
      _ = CheckAllowList.normalizedImageEntry(text)
    },
    // A whole KCD object as the API server would hand it over (any JSON).
    Harness(name: "kcd-spec") { bytes in
      guard let json = try? JSON.parse(bytes) else { return }
      let kcd = KCD(json: json)
      _ = KCDSpec.parse(json["spec"])
      _ = kcd.problems
    },
  ]
}
