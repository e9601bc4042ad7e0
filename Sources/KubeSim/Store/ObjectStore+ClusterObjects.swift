import KcdJSON

extension ObjectStore {
  /// `kube-system/extension-apiserver-authentication`, which kube-apiserver writes at start
  /// (`pkg/controlplane/controller/clusterauthenticationtrust`): components that delegate
  /// authentication (metrics servers, aggregated API servers, many operators) read it at start
  /// and exit when it is missing. The header lists are JSON arrays in strings, as the real one.
  public func addAuthenticationConfigMap(clientCAPEM: String) {
    let object: JSON = [
      "metadata": ["name": "extension-apiserver-authentication"],
      "data": [
        "client-ca-file": .string(clientCAPEM),
        "requestheader-client-ca-file": .string(clientCAPEM),
        "requestheader-allowed-names": #"["front-proxy-client"]"#,
        "requestheader-username-headers": #"["X-Remote-User"]"#,
        "requestheader-group-headers": #"["X-Remote-Group"]"#,
        "requestheader-extra-headers-prefix": #"["X-Remote-Extra-"]"#,
      ],
    ]
    _ = try? create(BuiltinResources.configMaps, namespace: "kube-system", object: object)
  }
}
