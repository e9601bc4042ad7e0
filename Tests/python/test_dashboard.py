"""The dashboard in a real browser: headless Chromium loads `GET /` of a running kcd (against
`kcd sim`), the DOM shows every managed workload with its version and status; a push turns the
row Progressing and then Success without a reload; no console error; no request leaves
127.0.0.1; a screenshot goes to the test output (`Tests/python/output/dashboard.png`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cdp import Browser
from conftest import REPO, wait_for
from test_chart_rbac import Kcd, digest, kcd_status, setup_cluster

OUTPUT = Path(os.environ.get("KCD_TEST_OUTPUT", REPO / "Tests" / "python" / "output"))


def rows(browser: Browser) -> list[dict]:
    return browser.evaluate("""Array.from(document.querySelectorAll('#workloads tr[data-key]')).map(tr => ({
        key: tr.dataset.key, cls: tr.className, cells: Array.from(tr.cells).map(td => td.textContent)}))""")


@pytest.fixture
def browser():
    b = Browser()
    try:
        yield b
    finally:
        b.close()


def test_dashboard_shows_workloads_and_follows_a_rollout_live(sim, tmp_path, browser):
    setup_cluster(sim)
    kcd = Kcd(sim, tmp_path)
    try:
        wait_for(lambda: kcd.get("/readyz")[0] == 200, 30, what="ready")
        wait_for(lambda: json.loads(kcd.get("/api/v1/leader")[1] or "{}").get("leading"), 15, what="leading")
        first = digest()
        assert kcd.push(first, version="1.0.1").returncode == 0
        wait_for(lambda: kcd_status(sim).get("currStatus") == "Success", 60, what="first rollout")

        base = f"http://127.0.0.1:{kcd.api_port}"
        browser.navigate(base + "/")
        assert browser.evaluate("document.title") == "kcd"
        shown = rows(browser)
        assert [(r["key"], r["cells"][5], r["cells"][6], r["cells"][7]) for r in shown] == \
            [("shop/Deployment/web/web", "1.0.1", first[:19], "Success")], shown
        assert "status-success" in shown[0]["cls"]
        # A slow rollout (the Deployment's pods take a while) is seen Progressing, then Success,
        # with no reload: the page's own document stays the same object.
        browser.evaluate("window.__sameDocument = true")
        # Simulated time slowed down: the pods of the new version take seconds to start.
        sim.control("PUT", "/_sim/time-scale", {"scale": 1})
        second = digest()
        assert kcd.push(second, version="1.0.2").returncode == 0
        browser.wait(lambda: rows(browser)[0]["cells"][7] == "Progressing", 20, "the row Progressing")
        assert "status-progressing" in rows(browser)[0]["cls"]
        inflight = browser.evaluate("document.querySelector('#inflight tr[data-key]') && document.querySelector('#inflight tr[data-key]').textContent")
        assert inflight and "shop/web" in inflight and "available" in inflight, inflight
        sim.control("PUT", "/_sim/time-scale", {"scale": 10})
        browser.wait(lambda: rows(browser)[0]["cells"][5:8] == ["1.0.2", second[:19], "Success"], 60, "Success")
        assert browser.evaluate("window.__sameDocument === true"), "updated without a reload"
        rollouts = browser.evaluate("document.querySelectorAll('#rollouts tr[data-key]').length")
        assert rollouts >= 2
        deliveries = browser.evaluate("Array.from(document.querySelectorAll('#deliveries tr')).map(tr => tr.textContent).join(' ')")
        assert "ci" in deliveries and "202" in deliveries
        # Filters work without JavaScript too: the server renders them.
        browser.navigate(base + "/?namespace=elsewhere")
        assert rows(browser) == []
        browser.navigate(base + "/?namespace=shop&status=Success")
        assert len(rows(browser)) == 1

        OUTPUT.mkdir(parents=True, exist_ok=True)
        browser.navigate(base + "/")
        browser.screenshot(str(OUTPUT / "dashboard.png"))
        assert (OUTPUT / "dashboard.png").stat().st_size > 5000
        assert browser.console_errors() == []
        outside = [u for u in browser.requested_urls() if not u.startswith("http://127.0.0.1:") and u != "about:blank"]
        assert outside == [], outside
    finally:
        kcd.stop()


def test_the_page_is_locked_down(sim, tmp_path):
    setup_cluster(sim)
    kcd = Kcd(sim, tmp_path)
    try:
        wait_for(lambda: kcd.get("/readyz")[0] == 200, 30, what="ready")
        import subprocess
        head = subprocess.run(["curl", "-s", "-D-", "-o", "/dev/null", f"http://127.0.0.1:{kcd.api_port}/"], capture_output=True, text=True).stdout
        assert "Content-Security-Policy: default-src 'none'; script-src 'self'" in head
        assert "X-Content-Type-Options: nosniff" in head
        code, body = kcd.get("/")
        assert code == 200 and "<script src=\"/dashboard.js\" defer></script>" in body and "<script>" not in body, "no inline script"
        assert "http://" not in body.replace("http://127.0.0.1", "") and "https://" not in body, "no external asset"
    finally:
        kcd.stop()
