import KcdKube

/// The original kcd's (nearmap/kcd) resource, `custom.k8s.io/v1` KCD, and the spec fields its
/// CRD and Go types knew. Fields outside this list are reported by `kcd migrate`, not copied.
enum OriginalKCD {
  static let resource = KubeResource(group: "custom.k8s.io", version: "v1", plural: "kcds", kind: "KCD")

  /// Top-level spec fields copied under the same name (kcd.dev/v1 kept every name).
  static let sameName: Set<String> = [
    "imageRepo", "tag", "versionSyntax", "serviceAccountName", "pollIntervalSeconds", "livenessSeconds", "timeoutSeconds",
    "selector", "container", "strategy", "history", "rollback", "config",
  ]

  /// Known to the original but with nothing to map to; reported as dropped, with why.
  static let dropped: [String: String] = [
    "history.name": "the original never read it",
  ]

  /// The status fields carried over (written through the status subresource after create).
  static let carriedStatus = ["currVersion", "successVersion"]
}
