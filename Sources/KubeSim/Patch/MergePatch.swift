import KcdJSON

/// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge recursively,
/// `null` deletes, everything else (arrays included) replaces.
public enum MergePatch {
  /// Applies `patch` to `document`. A patch that is not an object replaces the whole document,
  /// as RFC 7386 specifies; callers validate the outcome.
  public static func apply(_ patch: JSON, to document: JSON) -> JSON {
    guard case .object(let patchMembers) = patch else { return patch }
    var result = document.objectValue ?? [:]
    for (name, value) in patchMembers {
      if value.isNull {
        result.removeValue(forKey: name)
      } else {
        result[name] = apply(value, to: result[name] ?? .null)
      }
    }
    return .object(result)
  }
}
