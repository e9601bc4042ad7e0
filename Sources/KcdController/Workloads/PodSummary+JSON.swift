import KcdJSON

extension PodSummary {
  public init(json pod: JSON) {
    self.init(name: pod["metadata"]["name"].stringValue ?? "a pod",
              images: (pod["spec"]["containers"].arrayValue ?? []).compactMap { $0["image"].stringValue },
              waiting: (pod["status"]["containerStatuses"].arrayValue ?? []).compactMap { s in
                guard let reason = s["state"]["waiting"]["reason"].stringValue else { return nil }
                return (s["name"].stringValue ?? "", reason)
              })
  }
}
