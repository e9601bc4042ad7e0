"""kcd's API (SPEC §5) against `kcd sim`, with kcd running as the chart's ServiceAccount: every
read route and alias answers what the OpenAPI document it serves says (checked with
jsonschema), and the actions (rollback, sync, approve) are authorised per request — no token is
401, a token TokenReview does not accept is 401, a user without `update` on the KCD is 403 —
and with the right they take effect."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import wait_for
from test_chart_rbac import Kcd, digest, kcd_status, setup_cluster
from test_helm_chart import kubectl

ALICE, BOB = "alice-token", "bob-token"
ALICE_ROLE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: kcd-operator, namespace: shop}
rules: [{apiGroups: [kcd.dev], resources: [kcds], verbs: [get, update]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-operates-kcd, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kcd-operator}
subjects: [{kind: User, name: alice@example.com, apiGroup: rbac.authorization.k8s.io}]
"""


def schema_of(document: dict, ref: dict) -> dict:
    """An OpenAPI 3.0 schema as JSON Schema: `$ref`s resolved, `nullable` as a null type."""
    if "$ref" in ref:
        return schema_of(document, document["components"]["schemas"][ref["$ref"].split("/")[-1]])
    s = dict(ref)
    if s.pop("nullable", False):
        s["type"] = [s["type"], "null"]
    if "properties" in s:
        s["properties"] = {k: schema_of(document, v) for k, v in s["properties"].items()}
        s["additionalProperties"] = False
    if "items" in s:
        s["items"] = schema_of(document, s["items"])
    return s


def call(kcd: Kcd, method: str, path: str, token: str | None = None, body: str | None = None) -> tuple[int, dict]:
    args = ["curl", "-s", "-X", method, "-w", "\n%{http_code}", f"http://127.0.0.1:{kcd.api_port}{path}"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "-d", body]
    r = subprocess.run(args, capture_output=True, text=True)
    text, _, code = r.stdout.rpartition("\n")
    return int(code or 0), json.loads(text) if text.strip().startswith(("{", "[")) else {"raw": text}


@pytest.fixture
def running(sim, tmp_path):
    setup_cluster(sim)
    r = kubectl(sim, "apply", "-f", "-", stdin=ALICE_ROLE)
    assert r.returncode == 0, r.stderr
    sim.control("PUT", "/_sim/access", {"users": [
        {"token": "kcd-service-account-token", "username": "system:serviceaccount:kcd:kcd",
         "groups": ["system:serviceaccounts", "system:serviceaccounts:kcd"]},
        {"token": ALICE, "username": "alice@example.com", "groups": ["operators"]},
        {"token": BOB, "username": "bob@example.com", "groups": ["developers"]}]})
    kcd = Kcd(sim, tmp_path)
    try:
        wait_for(lambda: kcd.get("/readyz")[0] == 200, 30, what="ready")
        wait_for(lambda: json.loads(kcd.get("/api/v1/leader")[1] or "{}").get("leading"), 15, what="leading")
        yield kcd
    finally:
        kcd.stop()


def rolled_out(sim, kcd: Kcd, version: str) -> str:
    d = digest()
    sent = kcd.push(d, version=version)
    assert sent.returncode == 0, sent
    wait_for(lambda: kcd_status(sim).get("currDigest") == d and kcd_status(sim).get("currStatus") == "Success", 60, what=f"{version} rolled out")
    return d


def test_every_route_matches_the_openapi_document(sim, running):
    kcd = running
    first = rolled_out(sim, kcd, "1.0.1")
    code, document = call(kcd, "GET", "/api/v1/openapi.json")
    assert code == 200 and document["openapi"].startswith("3.")
    served = {
        "/api/v1/workloads": "/api/v1/workloads", "/kcd/v1/resources": "/kcd/v1/resources", "/v1/kcd/workloads": "/v1/kcd/workloads",
        "/kcd/v1/namespaces/{ns}/resources": "/kcd/v1/namespaces/shop/resources",
        "/v1/kcd/workloads/{name}": "/v1/kcd/workloads/web?namespace=shop", "/kcd/v1/history/{name}": "/kcd/v1/history/web?namespace=shop",
        "/api/v1/namespaces/{ns}/kcds/{name}": "/api/v1/namespaces/shop/kcds/web",
        "/api/v1/namespaces/{ns}/kcds/{name}/history": "/api/v1/namespaces/shop/kcds/web/history",
    }
    status = kcd_status(sim)
    rollout_id = status["history"][0]["trigger"].split(":", 1)[1]
    served["/api/v1/rollouts/{id}"] = f"/api/v1/rollouts/{rollout_id}"
    assert set(served) | {p for p in document["paths"] if "post" in document["paths"][p]} == set(document["paths"]), "every documented GET is tested"
    for template, path in served.items():
        code, body = call(kcd, "GET", path)
        assert code == 200, (path, body)
        schema = schema_of(document, document["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        jsonschema.validate(body, schema)
    rows = call(kcd, "GET", "/api/v1/workloads?namespace=shop")[1]
    assert [(r["name"], r["kind"], r["container"], r["kcd"], r["version"], r["digest"], r["status"]) for r in rows] == \
        [("web", "Deployment", "web", "web", "1.0.1", first, "Success")]
    assert rows[0]["availablePods"] == 3
    assert call(kcd, "GET", "/api/v1/workloads?namespace=elsewhere")[1] == []
    html = subprocess.run(["curl", "-s", "-D-", f"http://127.0.0.1:{kcd.api_port}/kcd/v1/resources?format=html"], capture_output=True, text=True).stdout
    assert "<td>web</td>" in html and "Content-Security-Policy: default-src 'none'" in html
    assert call(kcd, "GET", "/api/v1/rollouts/unknown")[0] == 404
    assert call(kcd, "GET", "/v1/kcd/workloads/web")[0] == 400, "namespace is required"


def test_actions_are_authorised_per_request(sim, running):
    kcd = running
    first = rolled_out(sim, kcd, "1.0.1")
    rolled_out(sim, kcd, "1.0.2")
    path = "/api/v1/namespaces/shop/kcds/web/rollback"
    assert call(kcd, "POST", path)[0] == 401
    assert call(kcd, "POST", path, token="not-a-known-token")[0] == 401
    code, body = call(kcd, "POST", path, token=BOB)
    assert code == 403 and "bob@example.com may not update" in body["error"], body
    code, body = call(kcd, "POST", path, token=ALICE, body="{}")
    assert code == 202 and body["by"] == "alice@example.com" and "back to 1.0.1" in body["accepted"], body
    wait_for(lambda: kcd_status(sim).get("currDigest") == first and kcd_status(sim).get("currStatus") == "Success", 60, what="rolled back")
    code, body = call(kcd, "POST", "/api/v1/namespaces/shop/kcds/web/rollback", token=ALICE, body='{"version": "9.9.9"}')
    assert code == 409 and "not in the KCD's history" in body["error"], body
    code, body = call(kcd, "POST", "/api/v1/namespaces/shop/kcds/web/approve", token=ALICE, body='{"digest": "%s"}' % first)
    assert code == 409 and "not waiting for an approval" in body["error"], body
    code, body = call(kcd, "POST", "/api/v1/namespaces/shop/kcds/nope/sync", token=ALICE)
    assert code in (403, 404), body
    # Decisions are logged, tokens never.
    log = kcd.output()
    assert '"decision":"forbidden(user: \\"bob@example.com\\")"' in log or "bob@example.com" in log
    assert ALICE not in log and BOB not in log and "not-a-known-token" not in log


SPEC_METRICS = ["kcd_hook_requests_total", "kcd_event_to_patch_seconds", "kcd_event_to_available_seconds", "kcd_rollouts_total",
                "kcd_rollout_duration_seconds", "kcd_registry_requests_total", "kcd_kube_requests_total", "kcd_queue_depth", "kcd_leader"]


def test_metrics_parse_and_carry_every_spec_name(sim, running):
    kcd = running
    rolled_out(sim, kcd, "1.0.1")
    code, text = kcd.get("/metrics")
    assert code == 200
    families = list(text_string_to_metric_families(text))
    samples = {s.name for f in families for s in f.samples}
    names = {f.name for f in families} | samples
    for m in SPEC_METRICS:
        # prometheus_client names a counter's family without `_total`; its samples keep it.
        assert m in names or m.removesuffix("_total") in names, m
    by_name = {s.name: s for f in families for s in f.samples if not s.labels or s.name.endswith("_count")}
    assert by_name["kcd_event_to_available_seconds_count"].value >= 1
    assert by_name["kcd_event_to_patch_seconds_count"].value >= 1
    assert by_name["kcd_leader"].value == 1
