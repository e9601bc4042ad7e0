"""Acceptance 3: every fault-injection switch of KubeSim, each with its effect on a client.

Rules (`POST /_sim/faults`), latency, the watch-stream faults (split, pack, stall, drop),
compaction and the history limit, token rotation, bookmarks, watch timeouts, the request log,
and the command-line forms of the switches. Clients are the official `kubernetes` Python client
and `requests` (for the exact bytes and HTTP chunk framing).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest
import urllib3
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from conftest import kcd_binary, parse_lines, raw_watch_chunks, settle

NS = "default"
STATUS_UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def deployment(name: str, replicas: int = 0) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]}}},
    }


def configmap(name: str, data: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {}}


# Every namespace holds the cluster's CA bundle, as in a real cluster; tests count their own objects.
CLUSTER_OBJECTS = {"kube-root-ca.crt"}


def own(names: list[str]) -> list[str]:
    return [n for n in names if n not in CLUSTER_OBJECTS]


def own_events(events: list[dict]) -> list[dict]:
    return [e for e in events if e["object"]["metadata"]["name"] not in CLUSTER_OBJECTS]


def add_fault(sim, **rule) -> None:
    assert sim.control("POST", "/_sim/faults", rule) == {"ok": True}


def status_of(e: ApiException) -> dict:
    return json.loads(e.body)


# ---- fault rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("code,reason,message", [
    (500, "InternalError", "Internal error occurred: injected fault"),
    (502, "InternalError", "Internal error occurred: injected fault"),
    (503, "ServiceUnavailable", "the server is currently unable to handle the request"),
])
def test_counted_rule_fails_twice_then_succeeds(sim, code, reason, message):
    core = client.CoreV1Api(sim.api_client())
    add_fault(sim, verb="list", resource="configmaps", code=code, rate=1, count=2)
    for _ in range(2):
        with pytest.raises(ApiException) as e:
            core.list_namespaced_config_map(NS)
        assert e.value.status == code
        assert status_of(e.value) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                      "message": message, "reason": reason, "code": code}
    assert core.list_namespaced_config_map(NS).kind == "ConfigMapList"
    assert core.list_namespaced_config_map(NS).kind == "ConfigMapList"
    codes = [r["code"] for r in sim.control("GET", "/_sim/requests")["items"]]
    assert codes == [code, code, 200, 200]


def test_429_like_api_priority_and_fairness(sim):
    add_fault(sim, verb="create", resource="configmaps", code=429, count=1)
    r = sim.request("POST", f"/api/v1/namespaces/{NS}/configmaps", json=configmap("a"))
    assert r.status_code == 429
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["Retry-After"] == "1"
    assert r.text == "Too many requests, please try again later.\n"
    assert sim.request("GET", f"/api/v1/namespaces/{NS}/configmaps/a").status_code == 404  # nothing was created

    # The Python client surfaces the same for a create (POST is never retried by urllib3) ...
    core = client.CoreV1Api(sim.api_client())
    add_fault(sim, verb="create", resource="configmaps", code=429, count=1)
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map(NS, configmap("a"))
    assert e.value.status == 429
    assert e.value.headers["Retry-After"] == "1"
    assert e.value.body == "Too many requests, please try again later.\n"
    assert core.create_namespaced_config_map(NS, configmap("a")).metadata.name == "a"

    # ... while for a GET urllib3 honours Retry-After: the client waits 1 s and retries once.
    sim.control("DELETE", "/_sim/requests")
    add_fault(sim, verb="list", resource="configmaps", code=429, count=1)
    t0 = time.monotonic()
    listed = core.list_namespaced_config_map(NS)
    elapsed = time.monotonic() - t0
    assert own([c.metadata.name for c in listed.items]) == ["a"]
    assert elapsed >= 1.0
    assert [(r["method"], r["code"]) for r in sim.control("GET", "/_sim/requests")["items"]] == [("GET", 429), ("GET", 200)]


def test_429_with_json_status_body(sim):
    add_fault(sim, verb="get", resource="configmaps", code=429, count=1, retryAfterSeconds=3, statusBody=True)
    r = sim.request("GET", f"/api/v1/namespaces/{NS}/configmaps/x")
    assert r.status_code == 429
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Retry-After"] == "3"
    body = r.json()
    assert {k: body[k] for k in ("kind", "apiVersion", "status", "reason", "code", "message")} == {
        "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "TooManyRequests", "code": 429,
        "message": "Too many requests, please try again later."}
    # count=1: the next request reaches the handler (404, the configmap does not exist)
    assert sim.request("GET", f"/api/v1/namespaces/{NS}/configmaps/x").status_code == 404


def test_409_conflict_on_update(sim):
    apps = client.AppsV1Api(sim.api_client())
    apps.create_namespaced_deployment(NS, deployment("web"))
    settle(sim)  # the simulator's own writes are done: a genuine conflict cannot happen
    current = apps.read_namespaced_deployment("web", NS)
    add_fault(sim, verb="update", resource="deployments", code=409, count=1)
    current.spec.replicas = 2
    with pytest.raises(ApiException) as e:
        apps.replace_namespaced_deployment("web", NS, current)
    assert e.value.status == 409
    assert status_of(e.value) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Conflict", "code": 409,
        "message": 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
                   "please apply your changes to the latest version and try again",
        "details": {"name": "web", "group": "apps", "kind": "deployments"}}
    assert apps.read_namespaced_deployment("web", NS).spec.replicas == 0  # the update did not happen
    # the retry a client makes after a conflict goes through
    assert apps.replace_namespaced_deployment("web", NS, current).spec.replicas == 2


def test_504_too_large_resource_version(sim):
    apps = client.AppsV1Api(sim.api_client())
    add_fault(sim, verb="list", resource="deployments", code=504, count=1)
    with pytest.raises(ApiException) as e:
        apps.list_namespaced_deployment(NS, resource_version="1", resource_version_match="NotOlderThan")
    assert e.value.status == 504
    body = status_of(e.value)
    assert (body["reason"], body["code"]) == ("Timeout", 504)
    assert body["message"].startswith("Too large resource version")
    assert apps.list_namespaced_deployment(NS).kind == "DeploymentList"


def test_504_fault_looks_like_the_apiservers_too_large_resource_version(sim):
    """The apiserver's error (storage.NewTooLargeResourceVersionError) carries the cause
    ResourceVersionTooLarge and retryAfterSeconds 1 (and so a `Retry-After: 1` header); client-go's
    reflector (isTooLargeResourceVersionError) returns false when `details` is absent. KubeSim's
    own non-injected 504 (ListQuery) has exactly that shape; the injected one must too."""
    natural = sim.request("GET", f"/apis/apps/v1/namespaces/{NS}/deployments",
                          params={"resourceVersion": "999999", "resourceVersionMatch": "NotOlderThan"})
    assert natural.status_code == 504
    assert natural.json()["details"]["causes"] == [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]
    assert natural.headers["Retry-After"] == "1"

    add_fault(sim, verb="list", resource="deployments", code=504, count=1)
    injected = sim.request("GET", f"/apis/apps/v1/namespaces/{NS}/deployments")
    assert injected.status_code == 504
    body = injected.json()
    assert body.get("details", {}).get("causes") == [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], body
    assert injected.headers.get("Retry-After") == "1"


def test_rate_half_gives_a_mix(sim):
    assert sim.request("POST", f"/api/v1/namespaces/{NS}/configmaps", json=configmap("a")).status_code == 201
    add_fault(sim, verb="get", resource="configmaps", code=500, rate=0.5)
    codes = [sim.request("GET", f"/api/v1/namespaces/{NS}/configmaps/a").status_code for _ in range(200)]
    failures, successes = codes.count(500), codes.count(200)
    assert failures + successes == 200
    # Binomial(200, 0.5): outside [50, 150] has probability < 1e-12
    assert 50 <= failures <= 150, (failures, successes)


def test_rule_is_scoped_to_its_verb_and_resource(sim):
    apps = client.AppsV1Api(sim.api_client())
    core = client.CoreV1Api(sim.api_client())
    apps.create_namespaced_deployment(NS, deployment("web"))
    core.create_namespaced_config_map(NS, configmap("cm"))
    settle(sim)
    add_fault(sim, verb="patch", resource="deployments", code=500, rate=1)

    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("web", NS, {"metadata": {"labels": {"x": "1"}}})
    assert e.value.status == 500
    # the same verb on another resource, and other verbs on the resource, are untouched
    assert core.patch_namespaced_config_map("cm", NS, {"data": {"k": "v"}}).data == {"k": "v"}
    assert apps.read_namespaced_deployment("web", NS).metadata.labels == {"app": "web"}
    assert [d.metadata.name for d in apps.list_namespaced_deployment(NS).items] == ["web"]
    d = apps.read_namespaced_deployment("web", NS)
    d.metadata.labels["y"] = "2"
    assert apps.replace_namespaced_deployment("web", NS, d).metadata.labels == {"app": "web", "y": "2"}
    assert apps.create_namespaced_deployment(NS, deployment("api")).metadata.name == "api"
    # and the rule keeps firing (no count)
    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("api", NS, {"metadata": {"labels": {"x": "1"}}})
    assert e.value.status == 500

    # a rule on the watch verb fails watches but not lists of the same resource
    sim.control("DELETE", "/_sim/faults")
    add_fault(sim, verb="watch", resource="configmaps", code=500)
    with pytest.raises(ApiException) as e:
        list(watch.Watch().stream(core.list_namespaced_config_map, NS, timeout_seconds=1))
    assert e.value.status == 500
    assert own([c.metadata.name for c in core.list_namespaced_config_map(NS).items]) == ["cm"]
    assert [ev["object"].metadata.name for ev in watch.Watch().stream(apps.list_namespaced_deployment, NS, timeout_seconds=1)
            if ev["type"] == "ADDED"] == ["api", "web"]

    # namespace and name narrow a rule further
    sim.control("DELETE", "/_sim/faults")
    add_fault(sim, verb="*", resource="configmaps", name="cm", code=503)
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("cm", NS)
    assert e.value.status == 503
    assert core.create_namespaced_config_map(NS, configmap("other")).metadata.name == "other"
    assert core.read_namespaced_config_map("other", NS).metadata.name == "other"

    # DELETE /_sim/faults removes the rules
    sim.control("DELETE", "/_sim/faults")
    assert core.read_namespaced_config_map("cm", NS).data == {"k": "v"}
    assert apps.patch_namespaced_deployment("web", NS, {"metadata": {"labels": {"x": "1"}}}).metadata.labels["x"] == "1"


def test_bad_fault_rules_are_refused(sim):
    for rule in ({"code": 418}, {"code": 500, "rate": 1.5}, {"verb": "get"}):
        r = sim.request("POST", "/_sim/faults", json=rule)
        assert r.status_code == 400, rule
        assert r.json()["reason"] == "BadRequest"


# ---- latency -----------------------------------------------------------------------------------


def test_latency_delays_every_api_request(sim):
    core = client.CoreV1Api(sim.api_client())
    assert sim.control("PUT", "/_sim/latency", {"seconds": 0.3}) == {"ok": True}
    for call in (lambda: core.list_namespaced_config_map(NS),
                 lambda: core.create_namespaced_config_map(NS, configmap("a")),
                 lambda: core.read_namespaced_config_map("a", NS)):
        t0 = time.monotonic()
        call()
        assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    events = list(watch.Watch().stream(core.list_namespaced_config_map, NS, timeout_seconds=1))
    assert time.monotonic() - t0 >= 0.3 + 1.0
    assert own([e["object"].metadata.name for e in events]) == ["a"]


# ---- watch stream faults -----------------------------------------------------------------------


def test_watch_split_cuts_each_event_into_pieces(sim):
    core = client.CoreV1Api(sim.api_client())
    for i in range(3):
        core.create_namespaced_config_map(NS, configmap(f"cm{i}", {"k": "v" * 50}))
    assert sim.control("PUT", "/_sim/watch-fault", {"mode": "split"}) == {"ok": True}

    chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps", {"resourceVersion": "0", "timeoutSeconds": "1"})
    data = b"".join(chunks)
    events = parse_lines(data)
    assert own([e["object"]["metadata"]["name"] for e in events]) == ["cm0", "cm1", "cm2"]
    assert len(chunks) >= 3 * len(events)
    assert all(c.count(b"\n") <= 1 for c in chunks)
    assert sum(1 for c in chunks if c.endswith(b"\n")) == len(events)
    assert not any(c.endswith(b"\n") and c.count(b"{") == c.count(b"}") and c.startswith(b'{"object"') for c in chunks)

    # the Python client reassembles the lines
    got = list(watch.Watch().stream(core.list_namespaced_config_map, NS, timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name, e["object"].data) for e in got if e["object"].metadata.name not in CLUSTER_OBJECTS] == [
        ("ADDED", f"cm{i}", {"k": "v" * 50}) for i in range(3)]


def test_watch_pack_puts_several_events_in_one_chunk(sim):
    core = client.CoreV1Api(sim.api_client())
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    for i in range(4):
        core.create_namespaced_config_map(NS, configmap(f"cm{i}"))
    assert sim.control("PUT", "/_sim/watch-fault", {"mode": "pack"}) == {"ok": True}

    chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps", {"resourceVersion": rv, "timeoutSeconds": "1"})
    assert len(chunks) == 1
    assert chunks[0].count(b"\n") == 4
    assert [e["object"]["metadata"]["name"] for e in parse_lines(chunks[0])] == ["cm0", "cm1", "cm2", "cm3"]

    got = list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name) for e in got] == [("ADDED", f"cm{i}") for i in range(4)]

    # normal framing for comparison: one chunk per event
    sim.control("PUT", "/_sim/watch-fault", {"mode": "none"})
    chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps", {"resourceVersion": rv, "timeoutSeconds": "1"})
    assert [c.count(b"\n") for c in chunks] == [1, 1, 1, 1]


def test_watch_stall_sends_nothing_and_the_client_read_timeout_fires(sim):
    core = client.CoreV1Api(sim.api_client())
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, configmap("late"))
    assert sim.control("PUT", "/_sim/watch-fault", {"mode": "stall"}) == {"ok": True}

    got = []
    t0 = time.monotonic()
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        for ev in watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rv,
                                       timeout_seconds=60, _request_timeout=(5, 1.5)):
            got.append(ev)
    assert got == []
    assert time.monotonic() - t0 >= 1.5

    # without the stall the same watch delivers the event at once
    sim.control("PUT", "/_sim/watch-fault", {"mode": "none"})
    got = list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rv,
                                    timeout_seconds=1, _request_timeout=(5, 10)))
    assert [(e["type"], e["object"].metadata.name) for e in got] == [("ADDED", "late")]


def test_watches_drop_cuts_open_streams(sim):
    core = client.CoreV1Api(sim.api_client())
    got = []
    t0 = time.monotonic()
    with pytest.raises(urllib3.exceptions.ProtocolError) as e:
        for ev in watch.Watch().stream(core.list_namespace, timeout_seconds=30, _request_timeout=(5, 20)):
            got.append(ev["object"].metadata.name)
            if len(got) == 1:
                assert sim.control("POST", "/_sim/watches/drop") == {"ok": True}
    assert "Response ended prematurely" in str(e.value)
    assert time.monotonic() - t0 < 15  # cut, not the 30 s timeout
    assert got == ["default", "kube-node-lease", "kube-public", "kube-system"]  # already sent before the drop

    # raw view: no terminating zero-length chunk
    r = sim.http.get(sim.url + "/api/v1/namespaces", params={"watch": "true", "timeoutSeconds": "30"}, stream=True, timeout=(5, 20))
    assert r.status_code == 200
    chunks = r.raw.read_chunked(decode_content=False)
    first = next(chunks)
    assert b'"ADDED"' in first
    sim.control("POST", "/_sim/watches/drop")
    with pytest.raises(urllib3.exceptions.ProtocolError):
        for _ in chunks:
            pass
    r.close()

    # watches opened after the drop are not affected
    names = [ev["object"].metadata.name for ev in watch.Watch().stream(core.list_namespace, timeout_seconds=1)]
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]


def test_bad_watch_fault_mode_is_refused(sim):
    r = sim.request("PUT", "/_sim/watch-fault", json={"mode": "explode"})
    assert r.status_code == 400
    assert r.json()["message"] == "mode must be one of none, split, pack, stall"


# ---- history -----------------------------------------------------------------------------------


def test_compact_makes_resume_410(sim):
    core = client.CoreV1Api(sim.api_client())
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, configmap("a"))
    # before compaction the resume works
    assert [e["object"].metadata.name for e in watch.Watch().stream(
        core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=1)] == ["a"]

    answer = sim.control("POST", "/_sim/compact")
    assert answer == {"ok": True, "compactedRevision": sim.stats()["revision"]}
    compacted = answer["compactedRevision"]

    chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps", {"resourceVersion": rv})
    assert parse_lines(b"".join(chunks)) == [{"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Expired", "code": 410,
        # kube-apiserver's watch cache names the oldest revision it keeps, minus one.
        "message": f"too old resource version: {rv} ({compacted})"}}]

    with pytest.raises(ApiException) as e:
        list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=1))
    assert e.value.status == 410
    # a relist gives a fresh resourceVersion from which watching works again
    fresh = core.list_namespaced_config_map(NS).metadata.resource_version
    assert int(fresh) == compacted
    core.create_namespaced_config_map(NS, configmap("b"))
    assert [e["object"].metadata.name for e in watch.Watch().stream(
        core.list_namespaced_config_map, NS, resource_version=fresh, timeout_seconds=1)] == ["b"]


def test_history_limit_makes_old_revisions_410(sim):
    core = client.CoreV1Api(sim.api_client())
    assert sim.control("PUT", "/_sim/history-limit", {"limit": 2}) == {"ok": True}
    rvs = [core.create_namespaced_config_map(NS, configmap(f"cm{i}")).metadata.resource_version for i in range(4)]
    # the last two changes are kept: from cm1 on it resumes, from cm0 it is gone
    got = list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rvs[1], timeout_seconds=1))
    assert [e["object"].metadata.name for e in got] == ["cm2", "cm3"]
    with pytest.raises(ApiException) as e:
        list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rvs[0], timeout_seconds=1))
    assert e.value.status == 410
    # kube-apiserver's watch cache names the oldest revision it keeps (cm2's), minus one.
    assert e.value.reason == f"Expired: too old resource version: {rvs[0]} ({int(rvs[2]) - 1})"

    # raising the limit keeps more from then on
    sim.control("PUT", "/_sim/history-limit", {"limit": 100})
    more = [core.create_namespaced_config_map(NS, configmap(f"more{i}")).metadata.resource_version for i in range(4)]
    got = list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=more[0], timeout_seconds=1))
    assert [e["object"].metadata.name for e in got] == ["more1", "more2", "more3"]
    assert sim.request("PUT", "/_sim/history-limit", json={"limit": 0}).status_code == 400


# ---- credentials -------------------------------------------------------------------------------


def test_token_rotation(sim):
    old = sim.token
    core_old = client.CoreV1Api(sim.api_client())
    assert core_old.list_namespace().kind == "NamespaceList"
    assert sim.control("PUT", "/_sim/token", {"token": "rotated-token-1"}) == {"ok": True}

    r = sim.request("GET", "/api/v1/namespaces", token=old)
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == STATUS_UNAUTHORIZED
    with pytest.raises(ApiException) as e:
        core_old.list_namespace()
    assert e.value.status == 401
    assert status_of(e.value) == STATUS_UNAUTHORIZED
    # the control plane is guarded by the same token
    assert sim.request("GET", "/_sim/stats", token=old).status_code == 401

    core_new = client.CoreV1Api(sim.api_client(token="rotated-token-1"))
    assert [n.metadata.name for n in core_new.list_namespace().items] == ["default", "kube-node-lease", "kube-public", "kube-system"]
    assert sim.request("GET", "/_sim/stats", token="rotated-token-1").status_code == 200
    # several tokens may be valid at once
    assert sim.request("PUT", "/_sim/token", token="rotated-token-1", json={"tokens": ["t-a", "t-b"]}).status_code == 200
    assert sim.request("GET", "/api/v1/namespaces", token="t-a").status_code == 200
    assert sim.request("GET", "/api/v1/namespaces", token="t-b").status_code == 200
    assert sim.request("GET", "/api/v1/namespaces", token="rotated-token-1").status_code == 401
    assert sim.request("GET", "/api/v1/namespaces", token="").status_code == 401


def test_rotated_out_token_is_rejected_on_version_too(sim):
    """The apiserver authenticates every request that carries credentials: an invalid bearer
    token is 401 on /version as well (anonymous access applies only to requests without any)."""
    old = sim.token
    assert sim.request("GET", "/version", token=old).status_code == 200
    sim.control("PUT", "/_sim/token", {"token": "rotated-token-1"})
    r = sim.request("GET", "/version", token=old)
    assert r.status_code == 401, r.text
    assert r.json() == STATUS_UNAUTHORIZED


# ---- bookmarks and watch timeouts --------------------------------------------------------------


def test_bookmark_interval(sim):
    core = client.CoreV1Api(sim.api_client())
    rev = sim.stats()["revision"]

    def stream(**kw) -> list[dict]:
        return list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=str(rev), timeout_seconds=2, **kw))

    # default interval (1 s): at most two bookmarks in two seconds
    assert len([e for e in stream(allow_watch_bookmarks=True) if e["type"] == "BOOKMARK"]) <= 2

    assert sim.control("PUT", "/_sim/bookmark-interval", {"seconds": 0.2}) == {"ok": True}
    w = watch.Watch()
    events = list(w.stream(core.list_namespaced_config_map, NS, resource_version=str(rev), timeout_seconds=2, allow_watch_bookmarks=True))
    bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
    assert len(bookmarks) == len(events) >= 5
    for b in bookmarks:
        assert b["raw_object"] == {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": str(rev)}}
    assert w.resource_version == str(rev)

    # without allowWatchBookmarks there are none
    assert stream() == []
    assert sim.request("PUT", "/_sim/bookmark-interval", json={"seconds": 0}).status_code == 400


def test_watch_timeout_ends_the_stream_cleanly(sim):
    core = client.CoreV1Api(sim.api_client())
    core.create_namespaced_config_map(NS, configmap("a"))
    t0 = time.monotonic()
    events = list(watch.Watch().stream(core.list_namespaced_config_map, NS, timeout_seconds=1, _request_timeout=(5, 20)))
    assert time.monotonic() - t0 >= 1.0
    assert [(e["type"], e["object"].metadata.name) for e in events if e["object"].metadata.name not in CLUSTER_OBJECTS] == [("ADDED", "a")]

    # raw: the chunked body ends with its terminator (read_chunked returns without error)
    t0 = time.monotonic()
    chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps", {"timeoutSeconds": "1"}, read_timeout=20)
    assert time.monotonic() - t0 >= 1.0
    assert len(own_events(parse_lines(b"".join(chunks)))) == 1

    # PUT /_sim/watch-timeout caps watches that ask for longer or for nothing
    assert sim.control("PUT", "/_sim/watch-timeout", {"seconds": 1}) == {"ok": True}
    for params in ({}, {"timeoutSeconds": "600"}):
        t0 = time.monotonic()
        chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps", {"resourceVersion": str(sim.stats()["revision"]), **params}, read_timeout=20)
        assert chunks == []
        assert time.monotonic() - t0 >= 1.0


# ---- request log -------------------------------------------------------------------------------


def test_request_log_records_exactly_one_patch(sim):
    apps = client.AppsV1Api(sim.api_client())
    apps.create_namespaced_deployment(NS, deployment("web"))
    assert sim.control("DELETE", "/_sim/requests") == {"ok": True}
    assert sim.control("GET", "/_sim/requests") == {"items": []}

    # what `kubectl patch deployment web -p '{"spec":{"replicas":2}}'` sends
    body = '{"spec":{"replicas":2}}'
    r = sim.request("PATCH", f"/apis/apps/v1/namespaces/{NS}/deployments/web", params={"fieldManager": "kubectl-patch"},
                    data=body, headers={"Content-Type": "application/strategic-merge-patch+json", "User-Agent": "kubectl/v1.30.0"})
    assert r.status_code == 200 and r.json()["spec"]["replicas"] == 2

    log = sim.control("GET", "/_sim/requests")["items"]
    # `at`: when KubeSim answered (seconds since the epoch), for request rates and accept times.
    assert len(log) == 1 and abs(log[0].pop("at") - time.time()) < 60
    assert log == [{"method": "PATCH", "path": f"/apis/apps/v1/namespaces/{NS}/deployments/web", "query": "fieldManager=kubectl-patch",
                    "contentType": "application/strategic-merge-patch+json", "body": body, "code": 200,
                    "userAgent": "kubectl/v1.30.0"}]
    assert len([x for x in log if x["method"] == "PATCH"]) == 1

    # failures are logged with their code; /_sim/ calls are not logged
    sim.request("GET", f"/apis/apps/v1/namespaces/{NS}/deployments/nothing")
    log = sim.control("GET", "/_sim/requests")["items"]
    assert [(x["method"], x["code"]) for x in log] == [("PATCH", 200), ("GET", 404)]

    assert sim.control("DELETE", "/_sim/requests") == {"ok": True}
    assert sim.control("GET", "/_sim/requests") == {"items": []}


# ---- the command-line forms --------------------------------------------------------------------


def test_command_line_fault_watch_fault_and_latency(start_sim):
    sim = start_sim("--fault", "verb=patch,resource=deployments,code=500,rate=1", "--watch-fault", "split", "--latency", "0.2")
    apps = client.AppsV1Api(sim.api_client())
    t0 = time.monotonic()
    apps.create_namespaced_deployment(NS, deployment("web"))
    assert time.monotonic() - t0 >= 0.2

    t0 = time.monotonic()
    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": 1}})
    assert time.monotonic() - t0 >= 0.2
    assert e.value.status == 500
    assert status_of(e.value)["message"] == "Internal error occurred: injected fault"
    t0 = time.monotonic()
    assert apps.read_namespaced_deployment("web", NS).spec.replicas == 0
    assert time.monotonic() - t0 >= 0.2

    chunks = raw_watch_chunks(sim, "/api/v1/namespaces", {"resourceVersion": "0", "timeoutSeconds": "1"})
    events = parse_lines(b"".join(chunks))
    assert [e["object"]["metadata"]["name"] for e in events] == ["default", "kube-node-lease", "kube-public", "kube-system"]
    assert len(chunks) >= 3 * len(events)


def test_command_line_rule_with_count_retry_after_and_json_status(start_sim):
    sim = start_sim("--fault", "verb=list,resource=configmaps,code=429,count=1,retryAfter=2,status=json")
    r = sim.request("GET", f"/api/v1/namespaces/{NS}/configmaps")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "2"
    assert r.json()["reason"] == "TooManyRequests"
    assert sim.request("GET", f"/api/v1/namespaces/{NS}/configmaps").status_code == 200


def test_command_line_history_bookmark_watch_timeout_and_token(start_sim):
    sim = start_sim("--history-limit", "2", "--bookmark-interval", "0.2", "--watch-timeout", "1", token="cli-token")
    assert sim.token == "cli-token"
    core = client.CoreV1Api(sim.api_client())
    rvs = [core.create_namespaced_config_map(NS, configmap(f"cm{i}")).metadata.resource_version for i in range(4)]
    with pytest.raises(ApiException) as e:
        list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rvs[0], timeout_seconds=1))
    assert e.value.status == 410
    # no timeoutSeconds: --watch-timeout ends the stream; --bookmark-interval paces the bookmarks
    t0 = time.monotonic()
    chunks = raw_watch_chunks(sim, f"/api/v1/namespaces/{NS}/configmaps",
                              {"resourceVersion": rvs[-1], "allowWatchBookmarks": "true"}, read_timeout=20)
    assert time.monotonic() - t0 >= 1.0
    events = parse_lines(b"".join(chunks))
    assert len(events) >= 3
    assert {e["type"] for e in events} == {"BOOKMARK"}


@pytest.mark.parametrize("flags,message", [
    (("--fault", "verb=patch,code=418"), "code must be 403, 404, 409, 429, 500, 502, 503 or 504"),
    (("--fault", "verb=patch"), "--fault needs code="),
    (("--fault", "code=500,rate=2"), "rate must be between 0 and 1"),
    (("--watch-fault", "sometimes"), "--watch-fault must be none, split, pack or stall"),
])
def test_command_line_rejects_bad_fault_flags(flags, message):
    p = subprocess.run([kcd_binary(), "sim", "--listen", "127.0.0.1:0", *flags], capture_output=True, text=True, timeout=20)
    assert p.returncode != 0
    assert message in p.stderr + p.stdout
