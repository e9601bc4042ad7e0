/// Planning a ServiceBlueGreen rollout (docs/blue-green.md): exactly two Deployments match the
/// selector, the live one is the one whose pod-template labels the live Service selects, both
/// Services are read fresh. Anything else is a refusal (status + Warning Event) that touches
/// nothing. The plan is written with the status that starts the rollout, before any change.
extension RolloutMachine {
  enum BlueGreenStart {
    case decided(RolloutDecision)
    case planned(BlueGreenPlan, idle: RolloutTarget)
  }

  static func planBlueGreen(_ input: RolloutInput, spec: KCDSpec, blueGreen bg: BlueGreenSpec, workloads: [Workload],
                            lastEvent: KCDStatus.LastEvent) -> BlueGreenStart {
    let ns = input.kcd.namespace
    func refuse(_ why: String) -> BlueGreenStart { .decided(blueGreenRefusal(input, why: why, lastEvent: lastEvent)) }
    let sides = workloads.filter { $0.ref.kind == .deployment && !$0.isControlled && spec.selects($0.labels) }.sorted { $0.ref.name < $1.ref.name }
    guard sides.count == 2 else {
      let found = sides.isEmpty ? "none" : "\(sides.count) (\(sides.map(\.ref.name).joined(separator: ", ")))"
      return refuse("ServiceBlueGreen needs exactly two Deployments in \(ns) matching the selector \(BlueGreenPlan.text(spec.selector)); found \(found). Nothing was changed")
    }
    let services = [bg.serviceName] + (bg.verificationServiceName.map { [$0] } ?? [])
    let reads = services.filter { input.services[$0] == nil }
    if !reads.isEmpty { return .decided(RolloutDecision(reads.map { .readService($0) }, .again)) }
    for name in services {
      if let why = input.services[name]?.problem(name, namespace: ns) { return refuse("\(why). Nothing was changed") }
    }
    let live = input.services[bg.serviceName]!.service!
    if let missing = bg.labelNames.first(where: { live.selector[$0] == nil }) {
      return refuse("the selector of Service \(bg.serviceName) has no \(missing) label (strategy.blueGreen.labelNames), so it does not say which Deployment is live. Nothing was changed")
    }
    for side in sides {
      if let missing = bg.labelNames.first(where: { side.templateLabels[$0] == nil }) {
        return refuse("the pod template of Deployment \(side.ref.name) has no \(missing) label (strategy.blueGreen.labelNames). Nothing was changed")
      }
    }
    let values = sides.map { side in Dictionary(uniqueKeysWithValues: bg.labelNames.map { ($0, side.templateLabels[$0]!) }) }
    let matching = sides.indices.filter { live.selects(values[$0]) }
    guard matching.count == 1 else {
      let named = sides.indices.map { "\(sides[$0].ref.name) (\(BlueGreenPlan.text(values[$0])))" }
      let why = matching.isEmpty
        ? "Service \(bg.serviceName) (selector \(BlueGreenPlan.text(live.selector))) selects neither Deployment \(named.joined(separator: " nor ")), so kcd cannot tell which side is live"
        : "Service \(bg.serviceName) selects both Deployments \(named.joined(separator: " and ")): strategy.blueGreen.labelNames do not tell the sides apart"
      return refuse(why + ". Nothing was changed")
    }
    let (l, i) = (sides[matching[0]], sides[1 - matching[0]])
    let containers = ImagePlan.containers(in: i, spec: spec)
    guard !containers.isEmpty else {
      let what = spec.containerName.map { "no container named \($0)" } ?? "no container running \(spec.imageRepo)"
      return refuse("the idle Deployment \(i.ref.name) has \(what). Nothing was changed")
    }
    let plan = BlueGreenPlan(service: bg.serviceName, verificationService: bg.verificationServiceName, labelNames: bg.labelNames, scaleDown: bg.scaleDown,
                             live: .init(name: l.ref.name, labels: values[matching[0]], replicas: l.progress.replicas),
                             idle: .init(name: i.ref.name, labels: values[1 - matching[0]], replicas: i.progress.replicas))
    return .planned(plan, idle: RolloutTarget(kind: .deployment, name: i.ref.name, containers: containers, previous: i.images(of: containers)))
  }

  /// The request is settled (not retried until a new event) and nothing is touched.
  static func blueGreenRefusal(_ input: RolloutInput, why: String, lastEvent: KCDStatus.LastEvent) -> RolloutDecision {
    let kcd = input.kcd
    var s = kcd.status
    s.lastEvent = lastEvent
    s.message = String(why.prefix(2048))
    s.conditions.set("Ready", .false, reason: "BlueGreenRefused", message: s.message ?? "", generation: kcd.generation, now: input.now)
    return RolloutDecision([.event(EventNote(.warning, "BlueGreenRefused", s.message ?? "")), write(s, kcd)], .idle)
  }
}

extension BlueGreenPlan {
  func plannedNote(_ image: String) -> EventNote {
    EventNote(.normal, "BlueGreenPlanned", "Service \(service) selects Deployment \(live.name) (\(BlueGreenPlan.text(live.labels))): rolling out \(image) to the idle Deployment \(idle.name) (\(BlueGreenPlan.text(idle.labels))) at \(replicas) replica(s), then switching the Service to it")
  }
}
