import KcdJSON
import KcdYAML
import Testing

/// The documents kcd reads besides manifests: kubeconfig files and its own configuration,
/// which may be JSON; and the edges of a stream (empty, markers only, BOM, CRLF).
@Suite struct YAMLParserTests {
  @Test func kubeconfigWithEveryCredentialKind() throws {
    let kubeconfig = """
      apiVersion: v1
      kind: Config
      clusters:
      - cluster:
          certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
          server: https://127.0.0.1:6443
        name: kind-kind
      - cluster:
          insecure-skip-tls-verify: true
          server: https://staging.example.com:443
          tls-server-name: api.staging
        name: staging
      contexts:
      - context:
          cluster: kind-kind
          namespace: default
          user: kind-kind
        name: kind-kind
      - context:
          cluster: staging
          user: eks-user
        name: staging   # used by CI
      current-context: kind-kind
      preferences: {}
      users:
      - name: kind-kind
        user:
          client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
          client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=
      - name: token-user
        user:
          token: eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2ln
      - name: eks-user
        user:
          exec:
            apiVersion: client.authentication.k8s.io/v1beta1
            command: aws
            args:
            - --region
            - us-west-2
            - eks
            - get-token
            - --cluster-name
            - prod
            env:
            - name: AWS_PROFILE
              value: prod
            - name: EMPTY
              value: ""
            interactiveMode: IfAvailable
            provideClusterInfo: false

      """
    try expectYAML(kubeconfig, #"""
      {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
          {"cluster": {
             "certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
             "server": "https://127.0.0.1:6443"},
           "name": "kind-kind"},
          {"cluster": {
             "insecure-skip-tls-verify": true,
             "server": "https://staging.example.com:443",
             "tls-server-name": "api.staging"},
           "name": "staging"}
        ],
        "contexts": [
          {"context": {"cluster": "kind-kind", "namespace": "default", "user": "kind-kind"}, "name": "kind-kind"},
          {"context": {"cluster": "staging", "user": "eks-user"}, "name": "staging"}
        ],
        "current-context": "kind-kind",
        "preferences": {},
        "users": [
          {"name": "kind-kind",
           "user": {
             "client-certificate-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
             "client-key-data": "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo="}},
          {"name": "token-user",
           "user": {"token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2ln"}},
          {"name": "eks-user",
           "user": {"exec": {
             "apiVersion": "client.authentication.k8s.io/v1beta1",
             "command": "aws",
             "args": ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "prod"],
             "env": [{"name": "AWS_PROFILE", "value": "prod"}, {"name": "EMPTY", "value": ""}],
             "interactiveMode": "IfAvailable",
             "provideClusterInfo": false}}}
        ]
      }
      """#)
  }

  /// KUBECONFIG=a:b style: one file with clusters and users referring to certificate files
  /// (as minikube writes them, indented sequences and all), another with only contexts.
  @Test func kubeconfigSplitOverTwoFiles() throws {
    let clustersAndUsers = """
      apiVersion: v1
      clusters:
        - cluster:
            certificate-authority: /home/dev/.minikube/ca.crt
            extensions:
              - extension:
                  last-update: Mon, 01 Jan 2024 10:00:00 UTC
                  provider: minikube.sigs.k8s.io
                  version: v1.32.0
                name: cluster_info
            server: https://192.168.49.2:8443
          name: minikube
      kind: Config
      users:
        - name: minikube
          user:
            client-certificate: /home/dev/.minikube/profiles/minikube/client.crt
            client-key: /home/dev/.minikube/profiles/minikube/client.key
      """
    let contexts = """
      # contexts only; clusters and users come from the first file
      apiVersion: v1
      kind: Config
      contexts:
        - context: {cluster: minikube, user: minikube, namespace: dev}
          name: minikube
      current-context: minikube
      """
    try expectYAML(clustersAndUsers, #"""
      {
        "apiVersion": "v1",
        "clusters": [{
          "cluster": {
            "certificate-authority": "/home/dev/.minikube/ca.crt",
            "extensions": [{
              "extension": {
                "last-update": "Mon, 01 Jan 2024 10:00:00 UTC",
                "provider": "minikube.sigs.k8s.io",
                "version": "v1.32.0"},
              "name": "cluster_info"}],
            "server": "https://192.168.49.2:8443"},
          "name": "minikube"}],
        "kind": "Config",
        "users": [{
          "name": "minikube",
          "user": {
            "client-certificate": "/home/dev/.minikube/profiles/minikube/client.crt",
            "client-key": "/home/dev/.minikube/profiles/minikube/client.key"}}]
      }
      """#)
    try expectYAML(contexts, #"""
      {
        "apiVersion": "v1",
        "kind": "Config",
        "contexts": [{"context": {"cluster": "minikube", "user": "minikube", "namespace": "dev"}, "name": "minikube"}],
        "current-context": "minikube"
      }
      """#)
  }

  /// kcd's configuration file may be JSON, which YAML 1.2 reads as flow collections.
  @Test func jsonConfigurationFile() throws {
    let json = "{\n\t\"listen\": \":8443\",\n\t\"repos\": [\n\t\t{\"url\": \"https://git.example.com/a.git\", \"interval\": 30, \"prune\": true},\n\t\t{\"url\":\"ssh://git@host/b\",\"interval\":1.5e1,\"path\":null,\"note\":\"caf\\u00e9 \\ud83d\\ude00 \\/ \\\"q\\\"\"}\n\t],\n\t\"empty\": {}, \"none\": []\n}\n"
    try expectYAML(json, json)
  }

  @Test func emptyStreamsAndEmptyDocuments() throws {
    #expect(try YAML.parse("") == .null)
    #expect(try YAML.parse("# only a comment\n\n") == .null)
    #expect(try YAML.parseDocuments("").isEmpty)
    #expect(try YAML.parseDocuments("# comment\n").isEmpty)
    try expectYAMLDocuments("---\n---\n...\n", "[null, null]")
    try expectYAMLDocuments("a: 1\n---\n", #"[{"a": 1}, null]"#)
    try expectYAMLDocuments("--- text\n--- [1]\n---\n- x\n...\n# trailing comment\n", #"["text", [1], ["x"]]"#)
    try expectYAMLDocuments("\u{FEFF}a: 1\r\nb:\r\n  - 2\r\n", #"[{"a": 1, "b": [2]}]"#)
  }
}
