"""The Helm chart, with the real Helm library (PyPI `helm-python-sdk`, Helm v4's Go SDK through its
C ABI): lint, schema, rendering with default values and with every option, the rendered
manifests applied to `kcd sim` with kubectl, and checkov on them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import helm_python as helm
import pytest
import yaml

from conftest import REPO

CHART = REPO / "charts" / "kcd"
ALL_OPTIONS = yaml.safe_load((CHART / "ci" / "all-options-values.yaml").read_text())
NAMESPACE = "kcd"


def render(values: dict | None = None) -> dict[str, str]:
    return helm.Chart.load(str(CHART)).render(values=values, name="kcd", namespace=NAMESPACE, is_install=True)


def objects(values: dict | None = None) -> list[dict]:
    out = []
    for path, text in sorted(render(values).items()):
        if path.endswith(".yaml"):
            out += [d for d in yaml.safe_load_all(text) if d]
    return out


def one(objs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"{kind} {name}: {[o['metadata']['name'] for o in found]}"
    return found[0]


def kubectl(sim, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", "--kubeconfig", sim.kubeconfig, *args], input=stdin, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("values", [None, ALL_OPTIONS], ids=["default", "all-options"])
def test_lint_is_clean(values):
    report = helm.lint(str(CHART), values, strict=True, namespace=NAMESPACE)
    assert report["errors"] == []
    # Severity 2 is a warning, 3 an error; 1 (info) is only "icon is recommended".
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("bad, key", [
    ({"replicaCount": "two"}, "replicaCount"),
    ({"replicaCount": 0}, "replicaCount"),
    ({"logFormat": "xml"}, "logFormat"),
    ({"hooks": {"secrets": {"gitea": "x"}}}, "gitea"),
    ({"image": {"digest": "sha256:short"}}, "digest"),
    ({"ingress": {"enabled": "yes"}}, "enabled"),
    ({"rbac": {"scope": "everywhere"}}, "scope"),
    ({"replicas": 2}, "replicas"),
])
def test_schema_rejects_bad_values(bad, key):
    chart = helm.Chart.load(str(CHART))
    chart.validate_schema(None)
    chart.validate_schema(ALL_OPTIONS)
    with pytest.raises(helm.HelmError) as e:
        chart.validate_schema(bad)
    assert key in str(e.value)


def test_refuses_inconsistent_values():
    with pytest.raises(helm.HelmError, match="needs watchNamespaces"):
        render({"rbac": {"scope": "namespaces"}})
    with pytest.raises(helm.HelmError, match="needs leaderElection"):
        render({"leaderElection": {"enabled": False}})


def test_ingress_routes_the_hooks_only():
    assert [o for o in objects() if o["kind"] == "Ingress"] == [], "no Ingress unless asked"
    objs = objects(ALL_OPTIONS)
    ingress = one(objs, "Ingress")
    rules = ingress["spec"]["rules"]
    assert len(rules) == 1 and rules[0]["host"] == "hooks.example.com"
    paths = rules[0]["http"]["paths"]
    assert paths == [{"path": "/hooks/", "pathType": "Prefix", "backend": {"service": {"name": "kcd-hooks", "port": {"name": "hooks"}}}}]
    assert "defaultBackend" not in ingress["spec"]
    assert ingress["spec"]["tls"] == [{"secretName": "kcd-hooks-tls", "hosts": ["hooks.example.com"]}]
    # The Service behind it reaches the hooks port only.
    hooks = one(objs, "Service", "kcd-hooks")
    assert [p["targetPort"] for p in hooks["spec"]["ports"]] == ["hooks"]


def test_network_policy_and_disruption_budget_defaults():
    objs = objects()
    policy = one(objs, "NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "kcd", "app.kubernetes.io/instance": "kcd"}
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    hooks_rule, api_rule = policy["spec"]["ingress"]
    assert hooks_rule["ports"] == [{"port": "hooks", "protocol": "TCP"}]
    assert hooks_rule["from"][0]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    assert api_rule["ports"] == [{"port": "api", "protocol": "TCP"}]
    assert {"podSelector": {}} in api_rule["from"]
    pdb = one(objs, "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1 and pdb["spec"]["selector"] == policy["spec"]["podSelector"]
    deployment = one(objs, "Deployment")
    assert deployment["spec"]["replicas"] == 2
    # One replica: a budget of one available pod would block every node drain.
    single = objects({"replicaCount": 1, "leaderElection": {"enabled": False}})
    assert [o for o in single if o["kind"] == "PodDisruptionBudget"] == []


def test_deployment_is_hardened_and_runs_what_the_values_say():
    d = one(objects(ALL_OPTIONS), "Deployment")
    pod = d["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    c = pod["containers"][0]
    assert c["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "privileged": False, "capabilities": {"drop": ["ALL"]}}
    assert c["image"] == "ghcr.io/kcd-dev/kcd@" + ALL_OPTIONS["image"]["digest"]
    args = c["args"]
    assert args[0] == "run"
    for expected in ["--hooks-addr=:8080", "--api-addr=:8081", "--hooks-secret-dir=/etc/kcd/hooks", "--log-format=text", "--config=/etc/kcd/config/kcd.yaml",
                     "--namespace=shop", "--namespace=web", "--leader-elect", "--leader-election-namespace=kcd", "--leader-election-id=kcd",
                     "--leader-election-lease-duration=20", "--leader-election-renew-deadline=12", "--leader-election-retry-period=3",
                     "--watch-silence-seconds=240"]:
        assert expected in args
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "api"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "api"}
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    assert mounts == {"hooks": "/etc/kcd/hooks", "config": "/etc/kcd/config", "registry": "/etc/kcd/registry",
                      "verification": "/etc/kcd/verification", "notifications": "/etc/kcd/notifications", "tmp": "/tmp"}
    assert "--verification-key-file=/etc/kcd/verification/whsec" in args
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"
    default_c = one(objects(), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert default_c["image"] == "ghcr.io/kcd-dev/kcd:0.1.0" and default_c["imagePullPolicy"] == "Always"
    assert not any(a.startswith("--namespace") for a in default_c["args"])


def test_rbac_is_exactly_what_kcd_uses():
    objs = objects()
    role = one(objs, "ClusterRole", "kcd")
    reviews = one(objs, "ClusterRole", "kcd-reviews")
    assert reviews["rules"] == [{"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]},
                                {"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]}]
    verbs = {(g, r): set(rule["verbs"]) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert verbs == {
        ("kcd.dev", "kcds"): {"get", "list", "watch", "patch"}, ("kcd.dev", "kcds/status"): {"patch"},
        ("apps", "deployments"): {"get", "list", "watch", "patch"}, ("apps", "statefulsets"): {"get", "list", "watch", "patch"},
        ("apps", "daemonsets"): {"get", "list", "watch", "patch"}, ("apps", "replicasets"): {"get", "list", "watch", "patch"},
        ("batch", "cronjobs"): {"get", "list", "watch", "patch"}, ("", "pods"): {"list"}, ("", "events"): {"create", "patch"},
        ("batch", "jobs"): {"get", "create", "delete"}, ("", "pods/log"): {"get"}, ("", "configmaps"): {"get", "create", "patch"},
        ("", "services"): {"get", "patch"},  # ServiceBlueGreen: read fresh, switch the selector
    }
    assert not any("secrets" in rule["resources"] for o in objs if o["kind"] in ("ClusterRole", "Role") for rule in o["rules"]), "no Secret access by default"
    lease = one(objs, "Role", "kcd-leader-election")
    assert lease["metadata"]["namespace"] == NAMESPACE
    assert {"resourceNames": ["kcd"], "verbs": ["get", "update", "watch"]}.items() <= lease["rules"][1].items()

    scoped = objects(ALL_OPTIONS)
    assert [o["metadata"]["name"] for o in scoped if o["kind"] in ("ClusterRole", "ClusterRoleBinding")] == ["kcd-reviews", "kcd-reviews"], \
        "per-namespace mode: only the cluster-scoped reviews"
    roles = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in scoped if o["kind"] == "Role"}
    assert roles == {("shop", "kcd"), ("web", "kcd"), ("shop", "kcd-pull-secrets"), (NAMESPACE, "kcd-leader-election")}
    secrets = one(scoped, "Role", "kcd-pull-secrets")
    assert secrets["rules"] == [{"apiGroups": [""], "resources": ["secrets", "serviceaccounts"], "verbs": ["get"]}]
    for binding in (o for o in scoped if o["kind"] == "RoleBinding"):
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "kcd-controller", "namespace": NAMESPACE}]


def test_notes_print_each_sources_webhook_url():
    notes = render(ALL_OPTIONS)["kcd/templates/NOTES.txt"]
    assert "ci: https://hooks.example.com/hooks/ci" in notes
    assert "github: https://hooks.example.com/hooks/github" in notes
    assert "dockerhub: https://hooks.example.com/hooks/dockerhub/<token from the secret>" in notes
    assert "harbor:" not in notes, "only sources with a secret"
    assert "whsec_" not in notes, "never a secret"
    default_notes = render()["kcd/templates/NOTES.txt"]
    assert "No Ingress" in default_notes and "port-forward svc/kcd-api 8081" in default_notes


def test_hook_secrets_become_one_file_per_source():
    secret = one(objects(ALL_OPTIONS), "Secret")
    assert set(secret["stringData"]) == {"ci", "dockerhub", "github"}
    existing = objects({"hooks": {"existingSecret": "my-hooks"}})
    assert [o for o in existing if o["kind"] == "Secret"] == []
    volume = one(existing, "Deployment")["spec"]["template"]["spec"]["volumes"][0]
    assert volume["secret"]["secretName"] == "my-hooks"


SERVICE_MONITOR_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: servicemonitors.monitoring.coreos.com}
spec:
  group: monitoring.coreos.com
  scope: Namespaced
  names: {plural: servicemonitors, singular: servicemonitor, kind: ServiceMonitor, listKind: ServiceMonitorList}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""


@pytest.mark.parametrize("values", [None, ALL_OPTIONS], ids=["default", "all-options"])
def test_rendered_manifests_are_accepted_by_kcd_sim(sim, values):
    for ns in [NAMESPACE, "shop", "web"]:
        r = kubectl(sim, "create", "namespace", ns)
        assert r.returncode == 0, r.stderr
    # Helm installs crds/ first; the ServiceMonitor CRD comes with the Prometheus operator.
    r = kubectl(sim, "apply", "-f", str(CHART / "crds" / "kcd.yaml"))
    assert r.returncode == 0, r.stderr
    r = kubectl(sim, "apply", "-f", "-", stdin=SERVICE_MONITOR_CRD)
    assert r.returncode == 0, r.stderr
    manifests = "\n---\n".join(text for path, text in sorted(render(values).items()) if path.endswith(".yaml") and text.strip())
    r = kubectl(sim, "apply", "-f", "-", stdin=manifests)
    assert r.returncode == 0, r.stderr
    applied = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(applied) == len(objects(values)), r.stdout
    assert all(line.endswith(" created") for line in applied), r.stdout


@pytest.mark.parametrize("values", [None, ALL_OPTIONS, {"image": {"digest": "sha256:" + "a" * 64}}], ids=["default", "all-options", "digest"])
def test_checkov_finds_nothing(tmp_path: Path, values):
    checkov = shutil.which("checkov")
    assert checkov, "checkov is missing: run scripts/setup.sh"
    for path, text in render(values).items():
        if path.endswith(".yaml") and text.strip():
            (tmp_path / Path(path).name).write_text(text)
    r = subprocess.run([checkov, "-d", str(tmp_path), "--framework", "kubernetes", "--compact", "-o", "json"],
                       capture_output=True, text=True, timeout=300)
    report = json.loads(r.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [(f["check_id"], f["resource"]) for f in report["results"]["failed_checks"]]
    assert failed == [], failed
    assert report["summary"]["passed"] > 100
    # Every skip is one the templates justify next to it (checkov.io/skip annotations).
    skipped = {f["check_id"] for f in report["results"]["skipped_checks"]}
    assert skipped <= {"CKV_K8S_38", "CKV_K8S_11", "CKV_K8S_43", "CKV2_K8S_5"}
