"""Fixtures that run the real `kcd sim` binary (KubeSim) on loopback.

`sim` starts one KubeSim per test with default flags; `start_sim(*flags)` starts more with
command-line flags of the test's choice. Every process is stopped (SIGTERM, then SIGKILL after
a deadline) when the test ends, and a KubeSim that died during the test, or did not exit 0 on
SIGTERM, makes the test error with the head of its stderr.

A `Sim` unpacks as `(url, token, kubeconfig_path, ca_path)` and also offers helpers: a `requests`
session that trusts only the sim's CA and ignores proxy/CA environment variables, the `/_sim/`
control calls, and a `kubernetes` ApiClient configured from the kubeconfig.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE = 20.0
STOP_DEADLINE = 10.0


def kcd_binary() -> str:
    path = os.environ.get("KCD_BIN") or str(REPO / ".build" / "debug" / "kcd")
    if not os.access(path, os.X_OK):
        pytest.fail(f"kcd binary not found at {path}: build it (swift build) or set KCD_BIN")
    return path


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.05, what: str = "condition"):
    """Polls `predicate` until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last value: {last!r})")
        time.sleep(interval)


def settle(sim: "Sim", quiet: float = 0.5, timeout: float = 15) -> int:
    """Waits until the store revision stays put for `quiet` seconds (the simulator is idle)."""
    deadline = time.monotonic() + timeout
    last = sim.stats()["revision"]
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = sim.stats()["revision"]
        if now == last:
            return now
        last = now
    pytest.fail(f"the store kept changing for {timeout}s")


class Sim:
    """One running `kcd sim` process."""

    def __init__(self, proc: subprocess.Popen, url: str, token: str, kubeconfig: str, ca: str | None, workdir: str, stderr_path: str):
        self.proc = proc
        self.url = url
        self.token = token
        self.kubeconfig = kubeconfig
        self.ca = ca
        self.workdir = workdir
        self.stderr_path = stderr_path
        self.crash_reported = False
        self.stop_requested = False
        self._session: requests.Session | None = None

    # (url, token, kubeconfig path, ca path)
    def __iter__(self) -> Iterator:
        return iter((self.url, self.token, self.kubeconfig, self.ca))

    @property
    def verify(self):
        return self.ca if self.ca else False

    def new_session(self, token: str | None = None) -> requests.Session:
        s = requests.Session()
        s.trust_env = False  # no proxies, and REQUESTS_CA_BUNDLE must not override verify
        s.verify = self.verify
        tok = self.token if token is None else token
        if tok:
            s.headers["Authorization"] = f"Bearer {tok}"
        return s

    @property
    def http(self) -> requests.Session:
        if self._session is None:
            self._session = self.new_session()
        return self._session

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        session = self.http if token is None else self.new_session(token)
        return session.request(method, self.url + path, **kwargs)

    def control(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        """A `/_sim/` call that must succeed; returns the JSON answer."""
        r = self.request(method, path, json=body if body is not None else None)
        assert r.status_code == expect, f"{method} {path} {body} -> {r.status_code} {r.text}"
        return r.json()

    def stats(self) -> dict:
        return self.control("GET", "/_sim/stats")

    def api_client(self, token: str | None = None) -> k8s_client.ApiClient:
        """The official Python client, configured from the kubeconfig KubeSim wrote."""
        path = self.kubeconfig
        if token is not None:
            # a copy of the kubeconfig with another token (the loader re-reads the token from the
            # kubeconfig before each request, so Configuration.api_key cannot be overridden)
            with open(self.kubeconfig) as f:
                doc = yaml.safe_load(f)
            doc["users"][0]["user"]["token"] = token
            path = os.path.join(self.workdir, f"kubeconfig-{abs(hash(token))}")
            with open(path, "w") as f:
                yaml.safe_dump(doc, f)
        cfg = k8s_client.Configuration()
        k8s_config.load_kube_config(config_file=path, client_configuration=cfg)
        return k8s_client.ApiClient(cfg)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_head(self, limit: int = 1500) -> str:
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return f.read(limit)
        except OSError:
            return ""

    def stop(self) -> int:
        """SIGTERM (SIGKILL after a deadline); returns the exit status."""
        if self.proc.poll() is None:
            self.stop_requested = True
        if self._session is not None:
            self._session.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_DEADLINE)
        return self.proc.returncode


def _start(flags: tuple[str, ...], token: str | None, plain_http: bool) -> Sim:
    workdir = tempfile.mkdtemp(prefix="kubesim-pytest-")
    kubeconfig = os.path.join(workdir, "kubeconfig")
    stderr_path = os.path.join(workdir, "stderr.txt")
    args = [kcd_binary(), "sim", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig]
    if token is not None:
        args += ["--token", token]
    if plain_http:
        args.append("--plain-http")
    args += list(flags)
    stderr = open(stderr_path, "wb")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, cwd=workdir)
    stderr.close()
    lines: "queue.Queue[str | None]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_DEADLINE
    url = None
    seen: list[str] = []
    while url is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        m = re.search(r"KubeSim serving on (https?://127\.0\.0\.1:\d+) \(kubeconfig: (.+)\)", line)
        if m:
            url = m.group(1)
            assert m.group(2).strip() == kubeconfig
    if url is None:
        if proc.poll() is None:
            proc.kill()
        proc.wait(STOP_DEADLINE)
        with open(stderr_path, errors="replace") as f:
            err = f.read(2000)
        pytest.fail(f"kcd sim did not report 'serving on' (stdout {seen!r}, exit {proc.returncode}, stderr {err!r})")

    with open(kubeconfig) as f:
        cfg = yaml.safe_load(f)
    cluster = cfg["clusters"][0]["cluster"]
    assert cluster["server"] == url
    user_token = cfg["users"][0]["user"]["token"]
    ca_path = None
    if "certificate-authority-data" in cluster:
        ca_path = os.path.join(workdir, "ca.pem")
        with open(ca_path, "wb") as f:
            f.write(base64.b64decode(cluster["certificate-authority-data"]))
    return Sim(proc, url, user_token, kubeconfig, ca_path, workdir, stderr_path)


@pytest.fixture
def start_sim():
    """`start_sim(*flags, token=None, plain_http=False)` starts a KubeSim with extra flags."""
    started: list[Sim] = []

    def start(*flags: str, token: str | None = None, plain_http: bool = False) -> Sim:
        sim = _start(tuple(flags), token, plain_http)
        started.append(sim)
        return sim

    yield start
    problems = []
    for sim in started:
        died_early = sim.proc.poll() is not None and not sim.stop_requested
        rc = sim.stop()
        if sim.crash_reported:
            continue
        if died_early:
            problems.append(f"kcd sim ({sim.url}) died during the test with exit {rc}; stderr:\n{sim.stderr_head()}")
        elif rc != 0:
            problems.append(f"kcd sim ({sim.url}) exited {rc} on SIGTERM; stderr:\n{sim.stderr_head()}")
    for sim in started:
        shutil.rmtree(sim.workdir, ignore_errors=True)
    if problems:
        pytest.fail("\n\n".join(problems))


@pytest.fixture
def sim(start_sim) -> Sim:
    """A KubeSim with default flags; unpacks as (url, token, kubeconfig path, ca path)."""
    return start_sim()


# Helpers shared by the test modules.


def parse_lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.split(b"\n") if line.strip()]


def raw_watch_chunks(sim: Sim, path: str, params: dict, read_timeout: float = 30) -> list[bytes]:
    """Opens a watch with `requests` and returns the HTTP chunks exactly as framed by the server."""
    r = sim.http.get(sim.url + path, params={"watch": "true", **params}, stream=True, timeout=(10, read_timeout))
    assert r.status_code == 200, r.text
    assert r.headers.get("Transfer-Encoding") == "chunked"
    try:
        return list(r.raw.read_chunked(decode_content=False))
    finally:
        r.close()
