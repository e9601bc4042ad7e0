import KcdJSON
@testable import KcdServer
import Testing

/// How one original `custom.k8s.io/v1` KCD becomes a `kcd.dev/v1` one, and when an existing
/// `kcd.dev/v1` object counts as different.
struct MigrateMappingTests {
  static func map(_ text: String) throws -> MigratedKCD {
    try MigratedKCD.from(try JSON.parse(text)).get()
  }

  @Test("name, namespace, labels, spec and the two status versions carry over; the original's rollback default is written")
  func carriesOver() throws {
    let m = try Self.map("""
      {"metadata":{"name":"myappcv","namespace":"demo","labels":{"app":"myapp"},"annotations":{"a":"b"}},
       "spec":{"imageRepo":"nearmap/cvm-example","tag":"demo","pollIntervalSeconds":300,"selector":{"kcdapp":"myapp"},"container":{"name":"myapp"},
               "versionSyntax":"[0-9a-f]{40}","livenessSeconds":60,"timeoutSeconds":600},
       "status":{"currVersion":"55d19ef","currStatus":"Success","successVersion":"44aa00c","currStatusTime":"2018-09-03T04:12:55Z"}}
      """)
    #expect(m.object == (try JSON.parse("""
      {"apiVersion":"kcd.dev/v1","kind":"KCD","metadata":{"name":"myappcv","namespace":"demo","labels":{"app":"myapp"}},
       "spec":{"imageRepo":"nearmap/cvm-example","tag":"demo","pollIntervalSeconds":300,"selector":{"kcdapp":"myapp"},"container":{"name":"myapp"},
               "versionSyntax":"[0-9a-f]{40}","livenessSeconds":60,"timeoutSeconds":600,"rollback":{"enabled":false}}}
      """)))
    #expect(m.status == ["currVersion": "55d19ef", "successVersion": "44aa00c"])
    #expect(m.notes == ["spec.livenessSeconds kept but unused (kcd runs no syncer pods)"], "\(m.notes)")
  }

  @Test("each field that does not carry over unchanged is reported", arguments: [
    (#""checkFrequency":5"#, "unknown field spec.checkFrequency not copied"),
    (#""history":{"enabled":true,"name":"h"}"#, "spec.history.name not copied"),
    (#""strategy":{"kind":"simple"}"#, #"spec.strategy.kind "simple" is RollingUpdate here"#),
    (#""pollIntervalSeconds":0"#, "here it means webhooks only"),
    (#""serviceAccountName":"syncer""#, "spec.serviceAccountName kept but unused"),
    (#""livenessSeconds":60"#, "spec.livenessSeconds kept but unused"),
  ])
  func reported(field: String, note: String) throws {
    let m = try Self.map(#"{"metadata":{"name":"a","namespace":"n"},"spec":{"imageRepo":"nearmap/kcd","tag":"latest","selector":{"kcdapp":"a"},"container":{"name":"a"},"#
                         + field + "}}")
    #expect(m.notes.contains { $0.contains(note) }, "\(m.notes)")
    #expect(m.spec["checkFrequency"] == nil && (m.spec["history"]?["name"] ?? .null) == .null)
    if field.contains("strategy") { #expect(m.spec["strategy"]?["kind"] == "RollingUpdate") }
    if field.contains("rollback") == false { #expect(m.spec["rollback"]?["enabled"] == false) }
  }

  @Test("an explicit rollback setting is kept")
  func rollbackKept() throws {
    let m = try Self.map(#"{"metadata":{"name":"a"},"spec":{"imageRepo":"r/a","tag":"t","selector":{"kcdapp":"a"},"rollback":{"enabled":true}}}"#)
    #expect(m.spec["rollback"] == ["enabled": true])
    #expect(m.namespace == "default")
  }

  @Test("an object without a name cannot be migrated")
  func noName() throws {
    #expect(throws: MigrationFailure.self) { try MigratedKCD.from(try JSON.parse(#"{"metadata":{},"spec":{}}"#)).get() }
  }

  @Test("differences: what the original declares must match; defaults the server added do not count; a selector is one value", arguments: [
    (#"{"metadata":{"labels":{"app":"myapp"}},"spec":{"imageRepo":"r/a","tag":"t","selector":{"kcdapp":"a"},"rollback":{"enabled":false},"versionSyntax":"[0-9a-f]{5,40}","timeoutSeconds":900}}"#, [String]()),
    (#"{"metadata":{"labels":{"app":"myapp"}},"spec":{"imageRepo":"r/a","tag":"other","selector":{"kcdapp":"a"},"rollback":{"enabled":false}}}"#, ["spec.tag"]),
    (#"{"metadata":{},"spec":{"imageRepo":"r/a","tag":"t","selector":{"kcdapp":"a"},"rollback":{"enabled":true}}}"#, ["metadata.labels.app", "spec.rollback.enabled"]),
    (#"{"metadata":{"labels":{"app":"myapp"}},"spec":{"imageRepo":"r/a","tag":"t","selector":{"kcdapp":"a","tier":"web"},"rollback":{"enabled":false}}}"#, ["spec.selector"]),
  ])
  func differences(existing: String, expected: [String]) throws {
    let m = try Self.map(#"{"metadata":{"name":"a","labels":{"app":"myapp"}},"spec":{"imageRepo":"r/a","tag":"t","selector":{"kcdapp":"a"}}}"#)
    #expect(m.differences(from: try JSON.parse(existing)) == expected)
  }
}
