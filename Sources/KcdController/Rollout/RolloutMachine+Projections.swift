/// Copies of what the status says, kept where users and tools read them: the history ConfigMap
/// (`spec.history`) and the version ConfigMap (`spec.config`). The status is the record; a
/// copy is (re)made whenever the status is ahead of it, so a crash between the two only delays
/// it. Each is written once, then marked in the status (`historySynced`, `configSynced`).
extension RolloutMachine {
  static func historyKey(_ r: RolloutRecord) -> String { "\(r.trigger)@\(r.digest)@\(r.result.rawValue)" }

  static func configKey(_ c: ConfigTarget, _ version: String) -> String { "\(c.name)/\(c.key)=\(version)" }

  /// Nil when every copy is current; else the writes (or the status mark) to make.
  static func project(_ input: RolloutInput, spec: KCDSpec) -> RolloutDecision? {
    let kcd = input.kcd
    var s = kcd.status
    var marked = false
    var writes: [RolloutAction] = []
    var failures: [String] = []
    /// One copy: already marked, written in this pass (mark it), refused (say so), or to write.
    func consider(_ key: String, synced: WritableKeyPath<KCDStatus, String?>, write: () -> RolloutAction) {
      guard s[keyPath: synced] != key else { return }
      if input.projected.contains(key) {
        s[keyPath: synced] = key
        marked = true
      } else if let why = input.projectionFailures[key] {
        failures.append(why)
      } else {
        writes.append(write())
      }
    }
    if let h = spec.history, let newest = s.history.first(where: { $0.result != .progressing }) {
      consider(historyKey(newest), synced: \.historySynced) {
        .syncHistory(configMap: HistorySpec.configMapName(kcd: kcd.name), records: s.history.filter { $0.result != .progressing }, limit: h.limit,
                     key: historyKey(newest))
      }
    }
    if let c = spec.config, let version = s.successVersion {
      consider(configKey(c, version), synced: \.configSynced) { .writeConfig(c, version: version, key: configKey(c, version)) }
    }
    if marked { return RolloutDecision([write(s, kcd, priority: .background)], .again) }
    if !writes.isEmpty { return RolloutDecision(writes, .again) }
    guard !failures.isEmpty else { return nil }
    let why = String(failures.joined(separator: "; ").prefix(1024))
    if s.message == why { return RolloutDecision([], .requeue(after: 60)) }
    s.message = why
    return RolloutDecision([.event(EventNote(.warning, "ConfigMapNotWritten", why)), write(s, kcd, priority: .background)], .requeue(after: 60))
  }
}
