"""The `kcd sim` process itself: it serves what the kubeconfig says, exits 0 on SIGTERM, and a
client that gives up during the TLS handshake (does not trust the CA, speaks plain HTTP, or is a
bare TCP port probe) must not take the whole KubeSim down."""

from __future__ import annotations

import socket
import ssl
import struct
import time

import pytest
import requests


def port_of(sim) -> int:
    return int(sim.url.rsplit(":", 1)[1])


def still_serving(sim) -> bool:
    time.sleep(0.3)  # give a crash time to happen
    if not sim.alive():
        sim.crash_reported = True
        return False
    return sim.request("GET", "/version").status_code == 200


def test_kubeconfig_and_sigterm(start_sim):
    sim = start_sim(token="fixed-token")
    url, token, kubeconfig, ca = sim
    assert url.startswith("https://127.0.0.1:")
    assert token == "fixed-token"
    assert open(ca).read().startswith("-----BEGIN CERTIFICATE-----")
    assert sim.request("GET", "/version").json()["gitVersion"] == "v1.30.0"
    assert sim.request("GET", "/api/v1/namespaces").status_code == 200
    assert sim.request("GET", "/api/v1/namespaces", token="wrong").status_code == 401
    assert sim.stop() == 0


def test_survives_a_client_that_does_not_trust_the_ca(sim):
    ctx = ssl.create_default_context()  # the system CAs, not KubeSim's
    with socket.create_connection(("127.0.0.1", port_of(sim)), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    assert still_serving(sim), f"KubeSim died (exit {sim.proc.returncode}):\n{sim.stderr_head()}"


def test_survives_a_bare_tcp_probe(sim):
    with socket.create_connection(("127.0.0.1", port_of(sim)), timeout=5):
        pass
    assert still_serving(sim), f"KubeSim died (exit {sim.proc.returncode}):\n{sim.stderr_head()}"


def test_survives_plain_http_on_the_https_port(sim):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{port_of(sim)}/version", timeout=5)
    assert still_serving(sim), f"KubeSim died (exit {sim.proc.returncode}):\n{sim.stderr_head()}"


def test_survives_a_client_that_hangs_up_mid_response(sim):
    """A large LIST answer; the client reads a little and resets the connection (SO_LINGER 0).
    The server's further TLS writes then fail with EPIPE, which must not raise SIGPIPE."""
    big = "x" * 500_000
    for i in range(12):
        r = sim.request("POST", "/api/v1/namespaces/default/configmaps", json={"metadata": {"name": f"cm{i}"}, "data": {"k": big}})
        assert r.status_code == 201
    ctx = ssl.create_default_context(cafile=sim.ca)
    request = (f"GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: Bearer {sim.token}\r\n\r\n").encode()
    for _ in range(3):
        raw = socket.create_connection(("127.0.0.1", port_of(sim)), timeout=10)
        tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        tls.sendall(request)
        assert tls.recv(100).startswith(b"HTTP/1.1 200")
        tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        tls.close()
    assert still_serving(sim), f"KubeSim died (exit {sim.proc.returncode}):\n{sim.stderr_head()}"
