"""CDEvents from kcd, checked with `jsonschema` against the CDEvents v0.5.1 schemas vendored in
Tests/KcdControllerTests/Fixtures/cdevents (cdevents/spec, tag v0.5.1): `kcd run` against
`kcd sim` sends one CDEvent per rollout outcome to a local receiver in CloudEvents HTTP binary
mode — a first deploy (service.deployed), an upgrade (service.upgraded), `kcd rollback`
(service.rolledback), a failure rolled back (service.rolledback) and a candidate refused by
verification (incident.detected: v0.5.1 defines no failure predicate for services)."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

import test_chart_rbac
from conftest import REPO, kcd_binary, wait_for
from test_chart_rbac import digest
from test_helm_chart import kubectl

FIXTURES = REPO / "Tests" / "KcdControllerTests" / "Fixtures"
SCHEMAS = FIXTURES / "cdevents"
SCHEMA_FILES = {
    "dev.cdevents.service.deployed.0.3.0": "servicedeployed.json",
    "dev.cdevents.service.upgraded.0.3.0": "serviceupgraded.json",
    "dev.cdevents.service.rolledback.0.3.0": "servicerolledback.json",
    "dev.cdevents.incident.detected.0.3.0": "incidentdetected.json",
}
VERIFICATION_KEY = "whsec_dmVyaWZpY2F0aW9uLWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ=="

# RFC 3986: the characters a URI reference may hold, and percent-encodings that are complete.
URI_CHARS = re.compile(r"^([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri-reference")
def is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(URI_CHARS.match(value))


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    return not isinstance(value, str) or (bool(URI_CHARS.match(value)) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value)))


def validator(event_type: str) -> jsonschema.Draft202012Validator:
    """The type's schema, its `$ref`s (the links) resolved from the vendored files, formats checked."""
    resources = [json.loads(p.read_text()) for p in [*SCHEMAS.glob("*.json"), *(SCHEMAS / "links").glob("*.json")]]
    registry = Registry().with_resources((r["$id"], Resource.from_contents(r)) for r in resources)
    schema = json.loads((SCHEMAS / SCHEMA_FILES[event_type]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=FORMATS)


class Receiver:
    """A local HTTP server: CDEvents on /cdevents (202), the gate's verification on /verify (403)."""

    def __init__(self):
        self.requests: list[tuple[str, dict, bytes]] = []
        lock = threading.Lock()
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(403 if self.path == "/verify" else 202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[tuple[dict, dict]]:
        return [(headers, json.loads(body)) for path, headers, body in list(self.requests) if path == "/cdevents"]

    def stop(self):
        self.server.shutdown()


class Kcd(test_chart_rbac.Kcd):
    """`kcd run` (as the kubeconfig's user) with a config file naming one CDEvents receiver."""

    def __init__(self, sim, workdir: Path, receiver: Receiver):
        hooks = workdir / "hooks"
        hooks.mkdir()
        (hooks / "ci").write_text(test_chart_rbac.HOOK_KEY + "\n")
        self.secret_file = hooks / "ci"
        (workdir / "verification.key").write_text(VERIFICATION_KEY + "\n")
        (workdir / "kcd.yaml").write_text(f"notifications:\n  - {{name: events, kind: cdevents, url: \"{receiver.base}/cdevents\", source: /kcd/test-cluster}}\n")
        self.log_path = workdir / "kcd.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [kcd_binary(), "run", "--kubeconfig", sim.kubeconfig, "--hooks-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--hooks-secret-dir", str(hooks),
             "--config", str(workdir / "kcd.yaml"), "--verification-key-file", str(workdir / "verification.key")],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        ports = re.findall(r":(\d+)", line)
        assert "kcd listening" in line and len(ports) == 2, line
        self.hooks_port, self.api_port = int(ports[0]), int(ports[1])

    def push_to(self, name: str, version: str) -> str:
        """Pushes a fresh digest of registry.example/shop/<name>; returns it."""
        d = digest()
        r = subprocess.run([kcd_binary(), "hooks", "send", "--url", f"http://127.0.0.1:{self.hooks_port}/hooks/ci", "--secret-file", str(self.secret_file),
                            "--repository", f"registry.example/shop/{name}", "--tag", "main", "--digest", d, "--version", version],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r
        return d


def status(sim, name: str) -> dict:
    r = kubectl(sim, "get", "kcd", name, "-n", "shop", "-o", "json")
    return json.loads(r.stdout).get("status", {}) if r.returncode == 0 else {}


@pytest.fixture
def running(sim, tmp_path):
    receiver = Receiver()
    for args, stdin in [(("apply", "-f", str(REPO / "charts" / "kcd" / "crds" / "kcd.yaml")), None),
                        (("apply", "-f", str(FIXTURES / "shop.yaml")), None),
                        (("apply", "-f", "-"), (FIXTURES / "gate.yaml").read_text().replace("VERIFY_URL", f"{receiver.base}/verify"))]:
        r = kubectl(sim, *args, stdin=stdin)
        assert r.returncode == 0, r.stderr
    kcd = Kcd(sim, tmp_path, receiver)
    try:
        yield kcd, receiver
    finally:
        kcd.stop()
        receiver.stop()


def test_every_outcome_is_a_valid_cdevent_in_binary_mode(sim, running):
    kcd, receiver = running
    kcd.push_to("gate", "2.0.0")
    first = kcd.push_to("web", "1.0.1")
    wait_for(lambda: status(sim, "web").get("currStatus") == "Success" and status(sim, "gate").get("currStatus") == "Failed", 60, what="deployed, refused")
    kcd.push_to("web", "1.0.2")
    wait_for(lambda: status(sim, "web").get("currVersion") == "1.0.2" and status(sim, "web").get("currStatus") == "Success", 60, what="upgraded")
    r = subprocess.run([kcd_binary(), "rollback", "shop/web", "--kubeconfig", sim.kubeconfig], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r
    wait_for(lambda: status(sim, "web").get("currVersion") == "1.0.1" and status(sim, "web").get("currStatus") == "Success", 60, what="rolled back by request")
    kcd.push_to("web", "fail-progress")
    wait_for(lambda: status(sim, "web").get("currStatus") == "RolledBack", 60, what="a failure rolled back")
    wait_for(lambda: len(receiver.events()) == 5, 20, what="five CDEvents")

    seen = []
    for headers, event in receiver.events():
        context, subject = event["context"], event["subject"]
        validator(context["type"]).validate(event)
        assert headers["ce-specversion"] == "1.0" and headers["content-type"] == "application/json"
        assert (headers["ce-id"], headers["ce-source"], headers["ce-type"], headers["ce-time"]) == \
            (context["id"], context["source"], context["type"], context["timestamp"])
        assert headers["ce-subject"] == subject["id"] and "ce-datacontenttype" not in headers
        assert context["specversion"] == "0.5.1" and context["source"] == "/kcd/test-cluster"
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", context["id"])
        assert subject["content"]["environment"] == {"id": "shop"}
        seen.append((event["customData"]["kcd"]["name"], event["customData"]["version"], context["type"].split(".")[2:4]))
    assert sorted(seen) == sorted([
        ("gate", "2.0.0", ["incident", "detected"]), ("web", "1.0.1", ["service", "deployed"]), ("web", "1.0.2", ["service", "upgraded"]),
        ("web", "1.0.1", ["service", "rolledback"]), ("web", "fail-progress", ["service", "rolledback"])]), seen
    assert len({e["context"]["id"] for _, e in receiver.events()}) == 5

    deployed = next(e for _, e in receiver.events() if e["context"]["type"].endswith("deployed.0.3.0"))
    assert deployed["subject"]["content"]["artifactId"] == \
        f"pkg:oci/web@sha256%3A{first[7:]}?repository_url=registry.example/shop/web&tag=1.0.1"
    incident = next(e for _, e in receiver.events() if e["context"]["type"].startswith("dev.cdevents.incident"))
    assert incident["subject"]["content"]["service"] == {"id": "shop/gate"}
    assert incident["subject"]["content"]["description"].startswith("VerificationFailed: verification of registry.example/shop/gate:2.0.0@")


def test_the_schemas_are_not_vacuous():
    """The validator refuses what v0.5.1 does not allow: v0.4's context.version, a missing
    artifactId, an unknown type, a timestamp that is not RFC 3339, a source with a space."""
    good = {"context": {"specversion": "0.5.1", "id": "1", "source": "/kcd/x", "type": "dev.cdevents.service.deployed.0.3.0",
                        "timestamp": "2026-01-01T00:00:00Z"},
            "subject": {"id": "shop/web", "content": {"environment": {"id": "shop"}, "artifactId": "pkg:oci/web@sha256%3Aab"}}}
    v = validator("dev.cdevents.service.deployed.0.3.0")
    v.validate(good)
    bad = [
        lambda e: e["context"].update(version="0.4.1"),
        lambda e: e["subject"]["content"].pop("artifactId"),
        lambda e: e["context"].update(type="dev.cdevents.service.failed.0.3.0"),
        lambda e: e["context"].update(timestamp="yesterday"),
        lambda e: e["context"].update(source="/kcd/a b"),
        lambda e: e["subject"].update(type="service"),
    ]
    for mutate in bad:
        e = json.loads(json.dumps(good))
        mutate(e)
        assert not v.is_valid(e), e
