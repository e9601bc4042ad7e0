"""Acceptance 2: the official Python `kubernetes` client works against KubeSim.

Deployments are created, listed (also with label selectors), watched (ADDED/MODIFIED), watches
resume from a resourceVersion without replay, and a compacted resourceVersion surfaces as the
client's `ApiException(status=410)`. The workload simulator rolls Deployments out
(availableReplicas reaches spec.replicas), pods carry container states, and CoreV1 Events are
created and listed with field selectors.
"""

from __future__ import annotations

import datetime
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from conftest import settle, wait_for

NS = "default"
UTC = datetime.timezone.utc


def deployment(name: str, image: str = "nginx:1.25", replicas: int = 1, labels: dict | None = None) -> client.V1Deployment:
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels={"app": name, **(labels or {})}),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels={"app": name}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": name}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="main", image=image)]),
            ),
        ),
    )


def apis(sim):
    api = sim.api_client()
    return client.AppsV1Api(api), client.CoreV1Api(api)


def available(apps: client.AppsV1Api, name: str):
    d = apps.read_namespaced_deployment(name, NS)
    if d.status and d.status.available_replicas == d.spec.replicas and d.status.observed_generation == d.metadata.generation:
        return d
    return None


def event_key(ev: dict) -> tuple:
    o = ev["raw_object"]
    return (ev["type"], o["metadata"]["name"], o["metadata"]["resourceVersion"])


def test_create_and_list_deployments(sim):
    apps, _ = apis(sim)
    created = apps.create_namespaced_deployment(NS, deployment("web", replicas=2))
    assert created.metadata.name == "web"
    assert created.metadata.namespace == NS
    assert created.metadata.generation == 1
    assert created.spec.replicas == 2
    # apiserver defaults are applied
    assert created.spec.strategy.type == "RollingUpdate"
    assert created.spec.strategy.rolling_update.max_surge == "25%"
    assert created.spec.revision_history_limit == 10
    assert created.spec.progress_deadline_seconds == 600
    apps.create_namespaced_deployment(NS, deployment("api"))

    listed = apps.list_namespaced_deployment(NS)
    assert isinstance(listed, client.V1DeploymentList)
    assert [d.metadata.name for d in listed.items] == ["api", "web"]
    assert int(listed.metadata.resource_version) >= int(created.metadata.resource_version)
    assert apps.read_namespaced_deployment("web", NS).metadata.uid == created.metadata.uid

    with pytest.raises(ApiException) as e:
        apps.create_namespaced_deployment(NS, deployment("web"))
    assert e.value.status == 409
    assert '"reason":"AlreadyExists"' in e.value.body


def test_list_deployments_with_label_selectors(sim):
    apps, _ = apis(sim)
    apps.create_namespaced_deployment(NS, deployment("web", labels={"tier": "frontend", "env": "prod"}))
    apps.create_namespaced_deployment(NS, deployment("api", labels={"tier": "backend", "env": "prod"}))
    apps.create_namespaced_deployment(NS, deployment("batch", labels={"tier": "backend"}))

    def names(selector: str) -> list[str]:
        return sorted(d.metadata.name for d in apps.list_namespaced_deployment(NS, label_selector=selector).items)

    assert names("tier=frontend") == ["web"]
    assert names("tier==backend") == ["api", "batch"]
    assert names("tier!=frontend") == ["api", "batch"]
    assert names("tier in (backend),env") == ["api"]
    assert names("env notin (prod)") == ["batch"]
    assert names("!env") == ["batch"]
    assert names("env") == ["api", "web"]
    assert names("tier=nothing") == []
    assert sorted(d.metadata.name for d in apps.list_deployment_for_all_namespaces(label_selector="env=prod").items) == ["api", "web"]

    with pytest.raises(ApiException) as e:
        apps.list_namespaced_deployment(NS, label_selector="tier in (")
    assert e.value.status == 400


def test_watch_sees_added_and_modified(start_sim):
    sim = start_sim("--time-scale", "20")
    apps, _ = apis(sim)
    start_rv = apps.list_namespaced_deployment(NS).metadata.resource_version
    apps.create_namespaced_deployment(NS, deployment("web", replicas=2))

    w = watch.Watch()
    seen: list[tuple[str, int | None]] = []
    deadline = time.monotonic() + 20
    for ev in w.stream(apps.list_namespaced_deployment, NS, resource_version=start_rv, timeout_seconds=20):
        assert isinstance(ev["object"], client.V1Deployment)
        assert ev["object"].metadata.name == "web"
        status = ev["object"].status
        seen.append((ev["type"], status.available_replicas if status else None))
        if ev["type"] == "MODIFIED" and status and status.available_replicas == 2:
            w.stop()
        if time.monotonic() > deadline:
            w.stop()
    assert seen[0] == ("ADDED", None)
    assert ("MODIFIED", 2) in seen, seen
    assert all(t in ("ADDED", "MODIFIED") for t, _ in seen)
    assert [t for t, _ in seen].count("ADDED") == 1
    # the client tracked the resourceVersion of the last event it saw
    assert int(w.resource_version) > int(start_rv)


def test_watch_resumes_from_resource_version_without_replay(start_sim):
    sim = start_sim("--time-scale", "50")
    apps, _ = apis(sim)
    start_rv = apps.list_namespaced_deployment(NS).metadata.resource_version
    apps.create_namespaced_deployment(NS, deployment("first", replicas=1))
    wait_for(lambda: available(apps, "first"), 20, what="deployment first available")
    rev = settle(sim)

    first = list(watch.Watch().stream(apps.list_namespaced_deployment, NS, resource_version=start_rv, timeout_seconds=1))
    keys = [event_key(e) for e in first]
    assert keys[0][:2] == ("ADDED", "first")
    assert len(keys) >= 2, keys  # the simulator's annotation and status updates
    assert all(int(k[2]) > int(start_rv) for k in keys)
    assert all(k[0] == "MODIFIED" for k in keys[1:])

    # Resume from the ADDED event: exactly the later events, in order, nothing replayed.
    resume_rv = keys[0][2]
    resumed = list(watch.Watch().stream(apps.list_namespaced_deployment, NS, resource_version=resume_rv, timeout_seconds=1))
    assert [event_key(e) for e in resumed] == keys[1:]

    # Resume from the last event: nothing until something new happens, then only that.
    last_rv = keys[-1][2]
    assert int(last_rv) <= rev
    apps.create_namespaced_deployment(NS, deployment("second", replicas=0))
    later = list(watch.Watch().stream(apps.list_namespaced_deployment, NS, resource_version=last_rv, timeout_seconds=1))
    assert later, "no event after the resume point"
    assert event_key(later[0])[:2] == ("ADDED", "second")
    assert all(e["raw_object"]["metadata"]["name"] == "second" for e in later)
    assert all(int(e["raw_object"]["metadata"]["resourceVersion"]) > int(last_rv) for e in later)


def test_watch_from_compacted_resource_version_raises_410(sim):
    apps, _ = apis(sim)
    old_rv = apps.list_namespaced_deployment(NS).metadata.resource_version
    apps.create_namespaced_deployment(NS, deployment("web", replicas=0))
    before = sim.stats()["revision"]
    compacted = sim.control("POST", "/_sim/compact")["compactedRevision"]
    # the revision at the moment of compaction (the simulator may write web's status meanwhile)
    assert before <= compacted <= sim.stats()["revision"]
    sim.control("DELETE", "/_sim/requests")

    # With timeout_seconds the client does not retry: the ERROR event becomes ApiException(410).
    with pytest.raises(ApiException) as e:
        for _ in watch.Watch().stream(apps.list_namespaced_deployment, NS, resource_version=old_rv, timeout_seconds=5):
            pytest.fail("an event was delivered from a compacted resourceVersion")
    assert e.value.status == 410
    # kube-apiserver's watch cache names the oldest revision it keeps, minus one.
    assert e.value.reason == f"Expired: too old resource version: {old_rv} ({compacted})"

    # Without timeout_seconds the client retries once from the same resourceVersion, then raises.
    with pytest.raises(ApiException) as e:
        for _ in watch.Watch().stream(apps.list_namespaced_deployment, NS, resource_version=old_rv):
            pytest.fail("an event was delivered from a compacted resourceVersion")
    assert e.value.status == 410
    watches = [r for r in sim.control("GET", "/_sim/requests")["items"] if "watch=true" in r["query"]]
    assert len(watches) == 3  # 1 + (1 + 1 retry)
    assert all(r["code"] == 200 and f"resourceVersion={old_rv}" in r["query"] for r in watches)

    # An exact list at the compacted revision is 410 too; a watch from the compaction point works.
    with pytest.raises(ApiException) as e:
        apps.list_namespaced_deployment(NS, resource_version=old_rv, resource_version_match="Exact")
    assert e.value.status == 410
    apps.create_namespaced_deployment(NS, deployment("after", replicas=0))
    events = list(watch.Watch().stream(apps.list_namespaced_deployment, NS, resource_version=str(compacted), timeout_seconds=1))
    # (the simulator may still be writing web's status: those are MODIFIED events of web)
    assert all(int(e["raw_object"]["metadata"]["resourceVersion"]) > compacted for e in events)
    assert [e["type"] for e in events if e["object"].metadata.name == "after"][:1] == ["ADDED"]
    assert {e["type"] for e in events if e["object"].metadata.name == "web"} <= {"MODIFIED"}


def test_watch_beyond_history_limit_raises_410(start_sim):
    sim = start_sim("--history-limit", "3")
    _, core = apis(sim)
    rvs = []
    for i in range(5):
        cm = core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"cm{i}")))
        rvs.append(cm.metadata.resource_version)
    # history keeps the last 3 changes (cm2..cm4): resuming from cm1 works, from cm0 it is 410
    events = list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rvs[1], timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "cm2"), ("ADDED", "cm3"), ("ADDED", "cm4")]
    with pytest.raises(ApiException) as e:
        list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rvs[0], timeout_seconds=1))
    assert e.value.status == 410
    # kube-apiserver's watch cache names the oldest revision it keeps (cm2's), minus one.
    assert e.value.reason == f"Expired: too old resource version: {rvs[0]} ({int(rvs[2]) - 1})"


def test_deployment_becomes_available_through_the_simulator(start_sim):
    sim = start_sim("--time-scale", "20")
    apps, core = apis(sim)
    apps.create_namespaced_deployment(NS, deployment("web", replicas=3))
    d = wait_for(lambda: available(apps, "web"), 20, what="web availableReplicas == 3")
    assert d.status.available_replicas == d.spec.replicas == 3
    assert d.status.ready_replicas == 3
    assert d.status.updated_replicas == 3
    assert d.status.replicas == 3
    assert d.status.unavailable_replicas is None
    conditions = {c.type: (c.status, c.reason) for c in d.status.conditions}
    assert conditions == {"Available": ("True", "MinimumReplicasAvailable"), "Progressing": ("True", "NewReplicaSetAvailable")}
    assert d.metadata.annotations["deployment.kubernetes.io/revision"] == "1"

    rs = apps.list_namespaced_replica_set(NS, label_selector="app=web").items
    assert len(rs) == 1
    assert rs[0].metadata.owner_references[0].kind == "Deployment"
    assert rs[0].metadata.owner_references[0].uid == d.metadata.uid
    assert rs[0].status.available_replicas == 3

    # scaling through the Python client converges as well
    apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 1}})
    d = wait_for(lambda: (lambda x: x if x.status.replicas == 1 and x.status.available_replicas == 1 else None)(
        apps.read_namespaced_deployment("web", NS)), 20, what="scale down to 1")
    assert len(pods_of(core, "web")) == 1


def pods_of(core: client.CoreV1Api, deployment_name: str) -> list:
    """Pods whose controlling ReplicaSet belongs to the Deployment (found by ownerReferences)."""
    out = []
    for p in core.list_namespaced_pod(NS).items:
        refs = p.metadata.owner_references or []
        if refs and refs[0].kind == "ReplicaSet" and refs[0].name.rsplit("-", 1)[0] == deployment_name:
            out.append(p)
    return out


def test_pods_are_listed_with_container_states(start_sim):
    sim = start_sim("--time-scale", "20")
    apps, core = apis(sim)
    apps.create_namespaced_deployment(NS, deployment("web", replicas=2))
    apps.create_namespaced_deployment(NS, deployment("crash", image="example.com/crashloop:1"))
    apps.create_namespaced_deployment(NS, deployment("pull", image="example.com/pull-error:1"))

    def started(app: str, n: int):
        def is_started(p) -> bool:
            cs = p.status.container_statuses
            return bool(cs) and (cs[0].state.waiting is None or cs[0].state.waiting.reason != "ContainerCreating")

        items = pods_of(core, app)
        return items if len(items) == n and all(is_started(p) for p in items) else None

    web = wait_for(lambda: started("web", 2), 20, what="web pods started")
    for p in web:
        assert p.status.phase == "Running"
        assert p.spec.node_name.startswith("kubesim-node-")
        cs = p.status.container_statuses[0]
        assert (cs.name, cs.image, cs.ready, cs.started, cs.restart_count) == ("main", "nginx:1.25", True, True, 0)
        assert cs.state.running is not None and cs.state.running.started_at is not None
        assert cs.state.waiting is None and cs.state.terminated is None
        ready = {c.type: c.status for c in p.status.conditions}
        assert ready["Ready"] == "True" and ready["ContainersReady"] == "True"

    (crash,) = wait_for(lambda: started("crash", 1), 20, what="crash pod started")
    cs = crash.status.container_statuses[0]
    assert crash.status.phase == "Running"
    assert (cs.ready, cs.restart_count) == (False, 3)
    assert cs.state.waiting.reason == "CrashLoopBackOff"
    assert cs.last_state.terminated.exit_code == 1
    assert cs.last_state.terminated.reason == "Error"

    (pull,) = wait_for(lambda: started("pull", 1), 20, what="pull pod started")
    cs = pull.status.container_statuses[0]
    assert pull.status.phase == "Pending"
    assert cs.ready is False
    assert cs.state.waiting.reason == "ImagePullBackOff"
    assert cs.state.waiting.message == 'Back-off pulling image "example.com/pull-error:1"'

    running = core.list_namespaced_pod(NS, field_selector="status.phase=Running").items
    assert sorted(p.metadata.name for p in running) == sorted(p.metadata.name for p in web + [crash])
    pending = core.list_namespaced_pod(NS, field_selector="status.phase!=Running").items
    assert [p.metadata.name for p in pending] == [pull.metadata.name]


def test_simulated_pods_carry_the_template_labels(start_sim):
    """Pods made from a template carry its labels (plus pod-template-hash), so label selectors
    — `kubectl get pods -l app=web`, Services, rollout checks — find them."""
    sim = start_sim("--time-scale", "20")
    apps, core = apis(sim)
    apps.create_namespaced_deployment(NS, deployment("web", replicas=2))
    wait_for(lambda: available(apps, "web"), 20, what="web available")
    rs = apps.list_namespaced_replica_set(NS).items
    assert len(rs) == 1
    pod_hash = rs[0].metadata.labels["pod-template-hash"]
    assert rs[0].metadata.labels == {"app": "web", "pod-template-hash": pod_hash}
    for p in pods_of(core, "web"):
        assert p.metadata.labels == {"app": "web", "pod-template-hash": pod_hash}
    assert len(core.list_namespaced_pod(NS, label_selector="app=web").items) == 2


def core_event(name: str, kind: str, obj: str, reason: str, type_: str, when: datetime.datetime) -> client.CoreV1Event:
    return client.CoreV1Event(
        metadata=client.V1ObjectMeta(name=name),
        involved_object=client.V1ObjectReference(kind=kind, name=obj, namespace=NS, api_version="apps/v1" if kind == "Deployment" else "v1"),
        reason=reason, message=f"{reason} {obj}", type=type_, count=1,
        first_timestamp=when, last_timestamp=when, source=client.V1EventSource(component="pytest"),
    )


def test_core_v1_events_listed_with_field_selectors(sim):
    _, core = apis(sim)
    when = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    created = core.create_namespaced_event(NS, core_event("e1", "Deployment", "web", "ScalingReplicaSet", "Normal", when))
    assert created.metadata.resource_version
    assert created.involved_object.name == "web"
    core.create_namespaced_event(NS, core_event("e2", "Pod", "web-1", "BackOff", "Warning", when))
    core.create_namespaced_event(NS, core_event("e3", "Deployment", "api", "ScalingReplicaSet", "Normal", when))

    def names(selector: str) -> list[str]:
        return sorted(e.metadata.name for e in core.list_namespaced_event(NS, field_selector=selector).items)

    assert names("involvedObject.kind=Deployment") == ["e1", "e3"]
    assert names("involvedObject.kind=Deployment,involvedObject.name=web") == ["e1"]
    assert names("type=Warning") == ["e2"]
    assert names("type!=Warning") == ["e1", "e3"]
    assert names("reason==ScalingReplicaSet,involvedObject.name!=web") == ["e3"]
    assert names("source=pytest") == ["e1", "e2", "e3"]
    assert names("metadata.name=e2") == ["e2"]
    assert names("involvedObject.name=nothing") == []
    assert sorted(e.metadata.name for e in core.list_event_for_all_namespaces(field_selector="type=Normal").items) == ["e1", "e3"]
    e = core.read_namespaced_event("e1", NS)
    assert e.first_timestamp == when and e.last_timestamp == when and e.count == 1

    with pytest.raises(ApiException) as err:
        core.list_namespaced_event(NS, field_selector="spec.nothing=x")
    assert err.value.status == 400
    assert "field label not supported: spec.nothing" in err.value.body


def test_core_v1_event_with_event_time_from_python_client(sim):
    """The Python client serialises aware datetimes with isoformat(): `…:05.123456+00:00`.

    The apiserver decodes MicroTime with Go's time.Parse(RFC3339Micro), whose `Z07:00` accepts a
    numeric offset, so the real server accepts this event (and answers `…:05.123456Z`).
    """
    _, core = apis(sim)
    when = datetime.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    ev = client.CoreV1Event(
        metadata=client.V1ObjectMeta(name="new-style"),
        involved_object=client.V1ObjectReference(kind="Pod", name="web-1", namespace=NS),
        reason="Pulling", message="pulling image", type="Normal",
        event_time=when, reporting_component="pytest", reporting_instance="pytest-1", action="Pull",
    )
    created = core.create_namespaced_event(NS, ev)
    assert created.event_time == when
    raw = sim.request("GET", f"/api/v1/namespaces/{NS}/events/new-style").json()
    assert raw["eventTime"] == "2025-01-02T03:04:05.123456Z"
    assert [e.metadata.name for e in core.list_namespaced_event(NS, field_selector="reason=Pulling").items] == ["new-style"]


def test_core_v1_event_timestamps_are_normalised_like_metav1_time(sim):
    """metav1.Time fields are stored as RFC 3339 seconds in UTC by the apiserver.

    The Python client sends `2025-01-02T03:04:05.123456+00:00`; a real apiserver answers
    `2025-01-02T03:04:05Z` (fraction dropped, offset normalised) on create and on every read.
    """
    _, core = apis(sim)
    when = datetime.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    core.create_namespaced_event(NS, core_event("e1", "Deployment", "web", "ScalingReplicaSet", "Normal", when))
    raw = sim.request("GET", f"/api/v1/namespaces/{NS}/events/e1").json()
    assert (raw["firstTimestamp"], raw["lastTimestamp"]) == ("2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z")


def test_exact_list_returns_the_requested_revision(sim):
    """resourceVersionMatch=Exact must answer the list as of that revision (API Concepts,
    "Semantics for get and list"), not the current state stamped with the current revision."""
    apps, _ = apis(sim)
    before = apps.list_namespaced_deployment(NS).metadata.resource_version
    apps.create_namespaced_deployment(NS, deployment("web", replicas=0))
    exact = apps.list_namespaced_deployment(NS, resource_version=before, resource_version_match="Exact")
    assert exact.metadata.resource_version == before
    assert [d.metadata.name for d in exact.items] == []


def test_python_client_over_plain_http(start_sim):
    sim = start_sim(plain_http=True)
    assert sim.url.startswith("http://") and sim.ca is None
    apps, _ = apis(sim)
    apps.create_namespaced_deployment(NS, deployment("web", replicas=0))
    assert [d.metadata.name for d in apps.list_namespaced_deployment(NS).items] == ["web"]
    events = list(watch.Watch().stream(apps.list_namespaced_deployment, NS, timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name) for e in events][:1] == [("ADDED", "web")]
