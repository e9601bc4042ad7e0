import KubeSim

/// The report rows of parts 2, 3 and 4, with the details that let a reader trust (or doubt)
/// each figure.

/// Part 4's rows; `baseline` is kcd's rate with no KCD (SPEC §8: the cost of a webhook does not
/// depend on the KCDs it does not match).
func wrkRows(_ w: WrkComparison.Outcome, label: String, baseline: Double?) -> [String] {
  let kcdOK = w.probe == 200 && w.kcd.codes.keys.allSatisfy { $0 == 200 }
  var lines = [ScaleReport.row(label, "kcd \(ScaleReport.fixed(w.kcd.requestsPerSecond, 0)) req/s, nginx \(ScaleReport.fixed(w.nginx.requestsPerSecond, 0)) req/s: \(ScaleReport.fixed(w.ratio * 100, 1)) %",
                               target: "≥ 50 % of nginx", pass: w.ratio >= 0.5 && kcdOK)]
  lines.append(ScaleReport.detail("wrk \(WrkComparison.arguments.joined(separator: " ")); probe before wrk: \(w.probe); kcd answered \(ScaleReport.codes(w.kcd.codes)); nginx \(ScaleReport.codes(w.nginx.codes))"
    + (w.kcd.socketErrors.map { "; kcd \($0)" } ?? "") + (w.nginx.socketErrors.map { "; nginx \($0)" } ?? "")))
  if let baseline, baseline > 0 {
    lines.append(ScaleReport.row("  same, relative to no KCD", "\(ScaleReport.fixed(w.kcd.requestsPerSecond / baseline * 100, 1)) % of kcd's \(ScaleReport.fixed(baseline, 0)) req/s with no KCD",
                                 target: "independent of N", pass: w.kcd.requestsPerSecond >= 0.8 * baseline))
  }
  return lines
}

/// Part 2: the push → patch percentiles, the 202 time, and kcd's own histogram and KubeSim's
/// request log as a second opinion.
func reportOneAtATime(_ one: OneAtATime, count: Int, before: ScaleMetrics, after: ScaleMetrics, requests: [RequestRecord]) -> [String] {
  var lines: [String] = []
  let p50 = ScaleReport.percentile(one.patch, 0.5), p99 = ScaleReport.percentile(one.patch, 0.99), max = one.patch.max() ?? .nan
  let allAnswered = one.codes[202] == count && one.timedOut == 0
  lines.append(ScaleReport.row("2 push → patch, one at a time",
                               one.patch.isEmpty ? "no push was patched" : "p50 \(ScaleReport.ms(p50)), p99 \(ScaleReport.ms(p99)), max \(ScaleReport.ms(max)) (\(one.patch.count) pushes)",
                               target: "p50 ≤ 2 ms, p99 ≤ 20 ms", pass: allAnswered && p50 <= 0.002 && p99 <= 0.020))
  lines.append(ScaleReport.row("  webhook → 202", "p50 \(ScaleReport.ms(ScaleReport.percentile(one.acknowledged, 0.5))); answers \(ScaleReport.codes(one.codes))"
    + (one.timedOut > 0 ? "; \(one.timedOut) not patched within \(Int(OneAtATime.patchTimeout)) s" : ""), target: "-", pass: nil))
  lines.append(ScaleReport.detail("\(ScaleReport.grouped(count)) pushes took \(ScaleReport.s(one.seconds)) in all (\(ScaleReport.fixed(Double(count) / one.seconds, 1)) pushes/s)"))
  let h = ScaleMetrics.histogram("kcd_event_to_patch_seconds", from: before, to: after)
  let bound = { (q: Double) in h.quantileBound(q).map { $0.isInfinite ? "> 10 s" : "≤ " + ScaleReport.ms($0) } ?? "-" }
  let mean = { (v: [Double]) in v.isEmpty ? Double.nan : v.reduce(0, +) / Double(v.count) }
  lines.append(ScaleReport.detail("cross-check, kcd's own kcd_event_to_patch_seconds over these pushes: \(Int(h.count)) patches, mean \(ScaleReport.ms(h.mean)), "
    + "p50 \(bound(0.5)), p99 \(bound(0.99)) (bucket bounds; receipt → each patch accepted); the bench, sent → each patch in the store: "
    + "\(one.eachPatch.count) patches, mean \(ScaleReport.ms(mean(one.eachPatch))) (to the last of the 3: \(ScaleReport.ms(mean(one.patch))))"))
  let patches = requests.filter { $0.method == "PATCH" && $0.path.contains("/deployments/") }
  let refused = patches.filter { !(200..<300).contains($0.code) }.count
  let repeated = patches.count - Set(patches.map { $0.path + " " + $0.body }).count
  lines.append(ScaleReport.detail("KubeSim's request log: \(patches.count) Deployment PATCHes (\(refused) refused, \(repeated) repeating an earlier identical patch) "
    + "for \(one.patch.count) patched pushes × 3; \(ScaleReport.grouped(requests.count)) requests from kcd in all"))
  return lines
}

/// Part 3: the burst's patch time (or how far it got in 60 s) and how kcd answered.
func reportBurst(_ b: Burst) -> [String] {
  let value: String
  if let all = b.allPatched {
    value = "all \(ScaleReport.grouped(b.deployments)) Deployments patched \(ScaleReport.s(all)) after the first send"
  } else {
    value = "\(ScaleReport.grouped(b.patchedDeployments)) of \(ScaleReport.grouped(b.deployments)) Deployments patched within \(Int(Burst.patchLimit)) s"
  }
  var lines = [ScaleReport.row("3 burst: \(ScaleReport.grouped(b.count)) pushes in one second", value, target: "all within 5 s", pass: (b.allPatched ?? .infinity) <= 5)]
  lines.append(ScaleReport.detail("sent over \(ScaleReport.s(b.sendSpan)) from \(Burst.threads) threads; answers \(ScaleReport.codes(b.codes)), the last \(ScaleReport.s(b.lastAnswer)) after the first send"
    + (b.codes[-1] != nil ? " (no answer: refused, or nothing within \(Int(Burst.answerLimit)) s of the first send)" : "")
    + (b.halfPatched.map { "; half the Deployments patched after \(ScaleReport.s($0))" } ?? "")))
  return lines
}
