"""kcd with exactly the chart's RBAC: `kcd run` authenticates to `kcd sim` as the chart's
ServiceAccount, and KubeSim authorises every request of that token with the RBAC objects the
chart rendered (kube-apiserver's rules). The spine works; without any one rule group the feature
that needs it says so clearly."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, kcd_binary, wait_for
from test_helm_chart import kubectl, objects

RBAC_KINDS = {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}
SA_TOKEN = "kcd-service-account-token"
HOOK_KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Kcd:
    """One `kcd run` process authenticated as the chart's ServiceAccount."""

    def __init__(self, sim, workdir: Path):
        kubeconfig = workdir / "kubeconfig"
        text = Path(sim.kubeconfig).read_text()
        kubeconfig.write_text(re.sub(r"token: .*", f"token: {SA_TOKEN}", text))
        hooks = workdir / "hooks"
        hooks.mkdir(exist_ok=True)
        (hooks / "ci").write_text(HOOK_KEY + "\n")
        self.secret_file = hooks / "ci"
        self.log_path = workdir / f"kcd-{time.monotonic_ns()}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [kcd_binary(), "run", "--kubeconfig", str(kubeconfig), "--hooks-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0",
             "--hooks-secret-dir", str(hooks), "--log-format", "json", "--leader-elect", "--leader-election-namespace", "kcd",
             "--leader-election-id", "kcd", "--leader-election-retry-period", "0.5", "--leader-election-renew-deadline", "2",
             "--leader-election-lease-duration", "3"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        ports = re.findall(r":(\d+)", line)
        assert "kcd listening" in line and len(ports) == 2, line
        self.hooks_port, self.api_port = int(ports[0]), int(ports[1])

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def get(self, path: str) -> tuple[int, str]:
        r = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", f"http://127.0.0.1:{self.api_port}{path}"], capture_output=True, text=True)
        body, _, code = r.stdout.rpartition("\n")
        return int(code or 0), body

    def push(self, digest: str, version: str = "a0e55d6") -> subprocess.CompletedProcess:
        return subprocess.run([kcd_binary(), "hooks", "send", "--url", f"http://127.0.0.1:{self.hooks_port}/hooks/ci", "--secret-file", str(self.secret_file),
                               "--repository", "registry.example/shop/web", "--tag", "main", "--digest", digest, "--version", version],
                              capture_output=True, text=True, timeout=60)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def digest() -> str:
    return "sha256:" + secrets.token_hex(32)


def push_when_leading(kcd: Kcd) -> str:
    """Waits until `kcd` is ready and leads, pushes a fresh digest and returns it."""
    wait_for(lambda: kcd.get("/readyz")[0] == 200, 30, what="ready")
    wait_for(lambda: json.loads(kcd.get("/api/v1/leader")[1] or "{}").get("leading"), 15, what="leading")
    d = digest()
    sent = kcd.push(d)
    assert sent.returncode == 0 and "202" in sent.stdout, sent
    return d


def kcd_status(sim) -> dict:
    r = kubectl(sim, "get", "kcd", "web", "-n", "shop", "-o", "json")
    return json.loads(r.stdout).get("status", {}) if r.returncode == 0 else {}


def setup_cluster(sim, drop: str | None = None, fixture: str = "shop.yaml"):
    """The CRD, the shop fixture, the chart's RBAC (less `drop`'s rules), and the access table
    entry that makes SA_TOKEN the chart's ServiceAccount."""
    for args, stdin in [(("create", "namespace", "kcd"), None), (("apply", "-f", str(REPO / "charts" / "kcd" / "crds" / "kcd.yaml")), None),
                        (("apply", "-f", str(REPO / "Tests" / "KcdControllerTests" / "Fixtures" / fixture)), None)]:
        r = kubectl(sim, *args, stdin=stdin)
        assert r.returncode == 0, r.stderr
    rbac = [o for o in objects() if o["kind"] in RBAC_KINDS]
    for o in rbac:
        if o["kind"] == "ClusterRole" and drop:
            o["rules"] = [rule for rule in o["rules"] if not DROPS[drop](rule)]
    if drop == "leases":
        rbac = [o for o in rbac if o["metadata"]["name"] != "kcd-leader-election"]
    r = kubectl(sim, "apply", "-f", "-", stdin=yaml.safe_dump_all(rbac))
    assert r.returncode == 0, r.stderr
    sim.control("PUT", "/_sim/access", {"users": [{"token": SA_TOKEN, "username": "system:serviceaccount:kcd:kcd",
                                                   "groups": ["system:serviceaccounts", "system:serviceaccounts:kcd"]}]})


DROPS = {
    "kcds": lambda rule: "kcds" in rule["resources"],
    "kcd-status": lambda rule: "kcds/status" in rule["resources"],
    "workloads": lambda rule: "deployments" in rule["resources"],
    "pods": lambda rule: "pods" in rule["resources"],
    "events": lambda rule: "events" in rule["resources"],
    "jobs": lambda rule: "jobs" in rule["resources"],
    "leases": lambda rule: False,
    "services": lambda rule: "services" in rule["resources"],
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def test_the_spine_runs_on_exactly_the_charts_rbac(sim, workdir):
    setup_cluster(sim)
    # The token is the ServiceAccount, authorised by RBAC alone: it may not read Secrets.
    forbidden = sim.request("GET", "/api/v1/namespaces/shop/secrets", token=SA_TOKEN)
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == ('secrets is forbidden: User "system:serviceaccount:kcd:kcd" cannot list resource "secrets" '
                                           'in API group "" in the namespace "shop"')
    assert sim.request("GET", "/_sim/stats", token=SA_TOKEN).status_code == 403, "the simulator's controls are the admin's"
    kcd = Kcd(sim, workdir)
    try:
        d = push_when_leading(kcd)
        wait_for(lambda: kcd_status(sim).get("currStatus") == "Success" and kcd_status(sim).get("currDigest") == d, 60, what="rolled out")
        assert "forbidden" not in kcd.output().lower(), kcd.output()[-3000:]
    finally:
        kcd.stop()


@pytest.mark.parametrize("drop, expect", [
    ("kcds", "kcds.kcd.dev is forbidden"),
    ("kcd-status", 'cannot patch resource \\"kcds/status\\"'),
    ("workloads", "resource not served or not permitted"),
    ("pods", "cannot list pods"),
    ("events", "cannot record event"),
    ("jobs", "cannot create the Job"),
    ("leases", "leader election: cannot read or write the lease"),
])
def test_a_missing_rule_is_reported_clearly(sim, workdir, drop, expect):
    setup_cluster(sim, drop=drop)
    kcd = Kcd(sim, workdir)
    try:
        if drop in ("kcds", "leases"):
            wait_for(lambda: expect in kcd.output(), 30, what=expect)
            if drop == "kcds":
                code, body = kcd.get("/readyz")
                assert code == 503 and "forbidden" in body, body
            else:
                assert json.loads(kcd.get("/api/v1/leader")[1])["leading"] is False
            return
        wait_for(lambda: kcd.get("/readyz")[0] == 200, 30, what="ready")
        if drop == "workloads":
            assert "unavailable" in kcd.get("/readyz")[1]
            wait_for(lambda: expect in kcd.output(), 10, what=expect)
            return
        wait_for(lambda: json.loads(kcd.get("/api/v1/leader")[1] or "{}").get("leading"), 15, what="leading")
        # Pods are looked at only when a rollout is slow: this one's pods never start (KubeSim's
        # `fail-progress` image) and the Deployment's progress deadline is far, so kcd asks for them.
        if drop == "pods":
            r = kubectl(sim, "patch", "deploy", "web", "-n", "shop", "-p", '{"spec":{"progressDeadlineSeconds":600}}')
            assert r.returncode == 0, r.stderr
        if drop == "jobs":
            # Image verification runs a Job: without the rule the check fails, saying why.
            r = kubectl(sim, "patch", "kcd", "web", "-n", "shop", "--type", "merge",
                        "-p", '{"spec":{"verify":[{"kind":"Image","image":"registry.example/smoke"}]}}')
            assert r.returncode == 0, r.stderr
        sent = kcd.push(digest(), version="fail-progress" if drop == "pods" else "a0e55d6")
        assert sent.returncode == 0 and "202" in sent.stdout, sent
        if drop == "jobs":
            wait_for(lambda: expect in (kcd_status(sim).get("message") or ""), 30, what=expect)
            assert "forbidden" in kcd_status(sim)["message"], kcd_status(sim)
            return
        wait_for(lambda: expect in kcd.output(), 30, what=expect)
        assert "forbidden" in kcd.output()
    finally:
        kcd.stop()


@pytest.mark.parametrize("drop", [None, "services"])
def test_blue_green_runs_on_exactly_the_charts_rbac(sim, workdir, drop):
    """ServiceBlueGreen reads Services (get) and switches their selector (patch); Deployments are
    scaled through the deployments patch rule. Without the services rule the KCD is refused,
    saying why, and nothing is changed."""
    setup_cluster(sim, drop=drop, fixture="bluegreen.yaml")
    kcd = Kcd(sim, workdir)
    try:
        d = push_when_leading(kcd)
        if drop == "services":
            wait_for(lambda: "cannot be read" in (kcd_status(sim).get("message") or ""), 30, what="refusal")
            assert "forbidden" in kcd_status(sim)["message"], kcd_status(sim)
            selector = json.loads(kubectl(sim, "get", "svc", "web", "-n", "shop", "-o", "json").stdout)["spec"]["selector"]
            assert selector["color"] == "blue"
            return
        wait_for(lambda: kcd_status(sim).get("currStatus") == "Success" and kcd_status(sim).get("currDigest") == d, 60, what="switched")
        selector = json.loads(kubectl(sim, "get", "svc", "web", "-n", "shop", "-o", "json").stdout)["spec"]["selector"]
        assert selector["color"] == "green"
        assert "forbidden" not in kcd.output().lower(), kcd.output()[-3000:]
    finally:
        kcd.stop()
