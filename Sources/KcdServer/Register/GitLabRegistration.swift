import KcdJSON

/// GitLab's registry has no push webhook API; kcd hears from GitLab through the CI callback
/// (hooks/ci/gitlab-ci.yml), which needs the project CI/CD variables `KCD_URL` (kcd's base
/// URL) and `KCD_CI_KEY` (the `ci` key, masked and protected). Values are read back and
/// compared; a variable whose value GitLab hides is compared only by its flags.
struct GitLabRegistration: HookRegistration {
  let api: WebAPI
  let project: String
  /// A secret variable is masked (hidden in job logs) and protected (protected branches only).
  typealias Variable = (key: String, value: SecretValue, secret: Bool)
  let variables: [Variable]

  init(api: WebAPI, project: String, baseURL: String, ciKey: SecretValue) {
    self.api = api
    self.project = project
    variables = [
      ("KCD_URL", SecretValue(value: baseURL, placeholder: baseURL), false),
      ("KCD_CI_KEY", ciKey, true),
    ]
  }

  var collection: String { "/api/v4/projects/\(WebRequest.segment(project))/variables" }

  func read(_ v: Variable) -> WebRequest { WebRequest("GET", collection + "/" + v.key) }
  func create(_ v: Variable, _ rendering: Rendering) -> WebRequest {
    WebRequest("POST", collection, body: [
      "key": .string(v.key), "value": .string(v.value.text(rendering)), "masked": .bool(v.secret), "protected": .bool(v.secret), "variable_type": "env_var",
    ])
  }
  func update(_ v: Variable, _ rendering: Rendering) -> WebRequest {
    WebRequest("PUT", collection + "/" + v.key, body: ["value": .string(v.value.text(rendering)), "masked": .bool(v.secret), "protected": .bool(v.secret)])
  }

  func shown() -> [ShownRequest] {
    variables.flatMap { v in
      [
        api.shown(read(v), when: "always: read \(v.key) (404: missing)"),
        api.shown(create(v, .show), when: "when \(v.key) is missing"),
        api.shown(update(v, .show), when: "when its value or flags differ"),
      ]
    }
  }

  func apply() throws -> [RegisterOutcome] {
    try variables.map { v in
      let existing = try api.send(read(v), accepting: [404])
      guard existing.status != 404 else {
        _ = try api.send(create(v, .send))
        return RegisterOutcome(object: "CI/CD variable", name: v.key, result: .created)
      }
      let json = existing.json
      let flagsMatch = json["masked"].boolValue == v.secret && json["protected"].boolValue == v.secret
      let value = json["value"].stringValue
      if flagsMatch, value == nil || value == v.value.value {
        return RegisterOutcome(object: "CI/CD variable", name: v.key, result: .unchanged, note: value == nil ? "value hidden by GitLab, not compared" : "")
      }
      _ = try api.send(update(v, .send))
      return RegisterOutcome(object: "CI/CD variable", name: v.key, result: .updated, note: flagsMatch ? "value differed" : "masked/protected differed")
    }
  }
}
