#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora (Fuzz/corpus/<harness>/): realistic inputs taken
from the webhook sources' documented payloads and the test vectors, so every harness starts
from inputs that reach deep into its parser. Run from the repository root; idempotent."""
import base64, json, os, shutil

root = "Fuzz/corpus"
digest = "sha256:" + "a1" * 32

def j(v): return json.dumps(v, separators=(",", ":")).encode()
def hb(headers, body): return "".join(f"{k}: {v}\n" for k, v in headers.items()).encode() + b"\n" + body
def read(path): return open(path, "rb").read()

seeds = {
  "http-head": [
    b"GET /healthz HTTP/1.1\r\nHost: kcd\r\n\r\n",
    b"POST /hooks/ci HTTP/1.1\r\nHost: kcd\r\nContent-Type: application/json\r\nContent-Length: 42\r\nwebhook-id: msg_1\r\n\r\n",
    b"POST /hooks/github HTTP/1.1\r\nHost: kcd\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
    b"GET /api/v1/workloads?namespace=shop&format=json HTTP/1.0\r\nAuthorization: Bearer t\r\nConnection: keep-alive\r\n\r\n",
  ],
  "chunked": [b"\x07" + b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", b"\x03" + b"a\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nGET"],
  "json": [j({"repository": "registry.example/shop/web", "tag": "main", "digest": digest, "version": "1.2.3"}),
           b'[1, -2.5e10, "\\u00e9\\ud83d\\ude00", true, false, null, {"a": {}}]'],
  "yaml": [b"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:6443'}\n",
           b"anchors:\n  base: &b {a: 1, b: [x, y]}\n  use: *b\nblock: |\n  text\n  more\nfolded: >-\n  a\n  b\nnums: [0x1F, 0o17, 1.5e3, .inf, ~]\n---\n- !!str 12\n"],
  "kubeconfig": [b"""apiVersion: v1
kind: Config
current-context: sim
clusters:
- name: sim
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTg==
contexts:
- name: sim
  context: {cluster: sim, user: kcd, namespace: shop}
users:
- name: kcd
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./token-helper
      args: [--cluster, sim]
      env: [{name: A, value: b}]
      interactiveMode: Never
"""],
  "pattern": [b"^v(?<v>\\d+\\.\\d+\\.\\d+)$\nv1.22.3", b"^(?<name>[a-z]+)-(?P<v>\\d+)(\\.(\\d+))?(x)?$\nbuild-12.4", b"(a|b)*c{2,3}[^x-z]\\s+\nababcc  q"],
  "source-dockerhub": [j({"callback_url": "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
                          "push_data": {"pushed_at": 1417566161, "pusher": "trustedbuilder", "tag": "latest"},
                          "repository": {"name": "testhook", "namespace": "svendowideit", "repo_name": "svendowideit/testhook", "status": "Active"}})],
  "source-quay": [j({"name": "repository", "repository": "dgangaia/test", "namespace": "dgangaia", "docker_url": "quay.io/dgangaia/test",
                     "homepage": "https://quay.io/repository/dgangaia/repository", "updated_tags": ["latest", "v1.2"]})],
  "source-distribution": [hb({"Content-Type": "application/vnd.docker.distribution.events.v1+json"}, j({"events": [{
      "id": "d83e8796-7ba5-46ad-b239-d88473e21b2b", "timestamp": "2018-10-11T13:53:21.859222576Z", "action": "push",
      "target": {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 2206, "digest": digest, "length": 2206,
                 "repository": "shinebayar-g/a", "url": f"https://registry.git.erxes.io/v2/shinebayar-g/a/manifests/{digest}", "tag": "0.01"},
      "request": {"id": "18690582", "addr": "46.101.177.27", "host": "registry.git.erxes.io", "method": "PUT"}}]}))],
  "source-harbor": [
    j({"type": "PUSH_ARTIFACT", "occur_at": 1586922308, "operator": "admin", "event_data": {
        "resources": [{"digest": digest, "tag": "latest", "resource_url": "hub.harbor.com/test-webhook/debian:latest"}],
        "repository": {"name": "debian", "namespace": "test-webhook", "repo_full_name": "test-webhook/debian", "repo_type": "private"}}}),
    j({"specversion": "1.0", "id": "4b2f89a6", "source": "/projects/1/webhook/policies/3", "type": "harbor.artifact.pushed",
       "datacontenttype": "application/json", "time": "2023-03-06T06:08:43Z", "operator": "admin",
       "data": {"resources": [{"digest": digest, "tag": "v1", "resource_url": "hub.harbor.com/p/app:v1"}], "repository": {"repo_full_name": "p/app"}}}),
  ],
  "source-ecr": [
    j({"version": "0", "id": "13cde686-328b-6117-af20-0e5566167482", "detail-type": "ECR Image Action", "source": "aws.ecr",
       "account": "123456789012", "time": "2019-11-16T01:54:34Z", "region": "us-west-2", "resources": [],
       "detail": {"result": "SUCCESS", "repository-name": "team-a/my-repository-name", "image-digest": digest, "action-type": "PUSH", "image-tag": "latest"}}),
    hb({"x-amz-sns-message-type": "Notification"}, j({"Type": "Notification", "MessageId": "792cda85", "TopicArn": "arn:aws:sns:us-east-2:1:t",
        "Message": "{}", "Timestamp": "2022-07-28T21:23:58.317Z", "SignatureVersion": "1", "Signature": "AAAA",
        "SigningCertURL": "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem"})),
  ],
  "source-gcr": [j({"message": {"attributes": {"key": "value"}, "messageId": "2070443601311540", "publishTime": "2021-02-26T19:13:55.749Z",
                    "data": base64.b64encode(j({"action": "INSERT", "digest": f"us-east1-docker.pkg.dev/p/r/hello@{digest}", "tag": "us-east1-docker.pkg.dev/p/r/hello:1.1"})).decode()},
                    "subscription": "projects/myproject/subscriptions/mysubscription"})],
  "source-github": [hb({"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}, j({"action": "published", "package": {
      "id": 10696, "name": "Hello-World", "namespace": "Codertocat/hello-world", "ecosystem": "docker", "package_type": "container",
      "package_version": {"id": 57755790, "version": digest, "name": digest, "package_url": "ghcr.io/codertocat/hello-world:",
                          "container_metadata": {"tag": {"name": "v1.4.0", "digest": digest}}},
      "registry": {"type": "CONTAINER", "url": "https://ghcr.io/codertocat"}}, "repository": {"full_name": "Codertocat/hello-world"}}))],
  "source-ci": [j({"repository": "registry.example/shop/web", "tag": "main", "digest": digest, "version": "4444444"}),
                j({"repository": "registry.example/shop/web", "tag": "v1.2.3", "digest": digest, "rollback": True})],
  "sigv4": [hb({"x-fuzz-target": "/v2/app/manifests/latest?list-type=2&prefix=a%20b", "Host": "ecr.us-east-1.amazonaws.com",
                "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.BatchGetImage"}, b'{"repositoryName":"app"}')],
  "semver": [b"1.2.3\n1.2.3-rc.1+build.5\n>=1.0.0 <2.0.0 || ^3.1", b"v2.0.0-alpha.10\n2.0.0-alpha.9\n~1.2.3"],
  "version-policy": [b"semver\n^1.2\n\n1.2.3\n1.3.0\nv2.0.0\n1.10.0-rc.1",
                     b"numeric\n\n^build-(?<v>\\d+)$\nbuild-9\nbuild-10\nbuild-x",
                     b"alphabetical\n\n^main-(?<v>[0-9]{8})\nmain-20261201\nmain-20261130"],
  "image-reference": [b"nginx", b"registry.example:5000/team/app:v1@" + digest.encode(), b"index.docker.io/library/nginx",
                      b"123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/photos"],
  "check-allow-list": [b"https://verify.example.com:8443/kcd/shop?x=1", b"http://user@[fd00::1]:8080/v/a", b"https://h/kcd/..;/admin",
                       b"registry.example/tools/verify:1.2@" + digest.encode(), b"busybox", b"Index.Docker.IO/acme/"],
  "kcd-spec": [j({"apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": {"name": "web", "namespace": "shop", "generation": 3},
                  "spec": {"imageRepo": "registry.example/shop/web", "tag": "main", "selector": {"matchLabels": {"app": "web"}},
                           "container": {"name": "web", "verify": [{"kind": "Image", "image": "registry.example/checks:1", "timeoutSeconds": 60}]},
                           "strategy": {"kind": "ServiceBlueGreen", "blueGreen": {"serviceName": "web", "verificationServiceName": "web-test", "labelNames": ["color"]}},
                           "rollback": {"enabled": True}, "approval": {"required": True}, "history": {"enabled": True}}}),
               j({"metadata": {"name": "api", "namespace": "shop"}, "spec": {"imageRepo": "registry.example/shop/api",
                  "versionPolicy": {"kind": "semver", "range": ">=1.4.0 <2.0.0", "extract": "^v(?<v>.*)$"},
                  "strategy": {"kind": "Canary", "canary": {"replicas": 1, "verify": [{"kind": "Webhook", "url": "https://checks.example/x"}]}}}})],
  "signed-payload": [j({"critical": {"identity": {"docker-reference": "registry.example/shop/web"}, "image": {"docker-manifest-digest": "sha256:" + "ab" * 32},
                        "type": "cosign container image signature"}, "optional": None}),
                     j({"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "registry.example/shop/web", "digest": {"sha256": "ab" * 32}}],
                        "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}})],
}

fixtures = "Tests/KcdSigningTests/Fixtures"
seeds["sigstore-bundle"] = [read(f"{fixtures}/bundle-provenance.json"), read(f"{fixtures}/bundle-publish.json")]
seeds["trusted-root"] = [read(f"{fixtures}/trusted-root-public-good.json")]

# Certificates from the trusted root (DER, and one as PEM).
root_json = json.loads(seeds["trusted-root"][0])
ders = [base64.b64decode(c["rawBytes"]) for a in root_json["certificateAuthorities"] for c in a["certChain"]["certificates"]]
pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(ders[0]) + b"-----END CERTIFICATE-----\n"
seeds["x509"] = ders[:3] + [pem]
# The GCR harness's key set and token, and the AWS-signed SNS vectors of the hook tests.
harness = open("Fuzz/KcdFuzz/SourceHarnesses.swift").read()
seeds["jwks"] = [harness.split('gcrKeySetDocument = Array(#"')[1].split('"#')[0].encode()]
seeds["jwt"] = [harness.split('static let gcrToken = "')[1].split('"')[0].encode()]
# A GitHub Actions-shaped token signed by the same key (valid until 2100), and bare claims.
seeds["oidc-token"] = [b"eyJhbGciOiJSUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tIiwiYXVkIjoia2NkIiwic3ViIjoicmVwbzpzaG9wL3dlYjpyZWY6cmVmcy9oZWFkcy9tYWluIiwicmVwb3NpdG9yeSI6InNob3Avd2ViIiwicmVmIjoicmVmcy9oZWFkcy9tYWluIiwiZW52aXJvbm1lbnQiOiJwcm9kdWN0aW9uIiwianRpIjoiZnV6ei1zZWVkLTEiLCJpYXQiOjE3MDAwMDAwMDAsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ.D45uRKrXLVuTkGizzbRWaui_IhHCMA06dUuDZeDoRgdXc1s-Cg_jM8Vj1uz8c_zK6cmLFNz-CKkZQwvKb_BdPQFEOYfP91uobf7upaiH6x_0Xw3EVXy4oezxlxg84yY32iTbQX4Ffny92-JlvZ7dhSdBmuWrGdpdJcPYS0t9QVI53j4MTEnuET0-NxAXXzh5ZQQu_gUG05nEABHQ6P1fyz1jemn3MBcWumIdTIprIGI4PmsY6H4JHXRQH1L3B4kIqv25TkOlvWSAQGIZ9GORVPo86PC1luMSjiVgq5NawF_5br-UcK8s7iC9FP9t8djgvG4O4ORSxh9PDl0f-tsHaQ",
                       j({"iss": "https://token.actions.githubusercontent.com", "aud": ["kcd"], "repository": "shop/web", "ref": "refs/heads/main",
                          "jti": "x", "iat": 1700000000, "nbf": 1700000000, "exp": 1700000600})]
vectors = open("Tests/KcdHooksTests/SNSVectors.swift").read()
seeds["sns-message"] = [block.split('"""#')[0].encode() for block in vectors.split('#"""')[1:] if '"Type"' in block.split('"""#')[0]]

for name, items in seeds.items():
    d = os.path.join(root, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for i, data in enumerate(items):
        open(os.path.join(d, f"seed-{i}"), "wb").write(data)
