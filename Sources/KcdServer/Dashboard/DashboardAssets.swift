/// The dashboard's script and style, served from kcd itself (no external asset; the page's
/// Content-Security-Policy allows nothing else). The script builds rows with DOM methods and
/// `textContent` only: nothing from the API is ever parsed as HTML.
enum DashboardAssets {
  static let css = """
    :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
    body { margin: 0 auto; max-width: 80rem; padding: 0.5rem 1rem; }
    header h1 { margin: 0.2rem 0; font-size: 1.4rem; }
    form { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; margin: 0.5rem 0 1rem; }
    label { display: flex; flex-direction: column; font-size: 0.85rem; }
    select, button { font: inherit; padding: 0.3rem; }
    :focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
    h2 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
    th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #8884; white-space: nowrap; }
    tr.status-progressing, tr.status-verifying, tr.status-awaitingapproval { background: #1a73e81a; }
    tr.status-failed, tr.status-rolledback { background: #d9302522; }
    tr.status-suspended { background: #8882; }
    tr.empty td { color: #888; }
    @media (max-width: 40rem) { th, td { padding: 0.25rem; font-size: 0.8rem; } }
    """

  static let js = """
    "use strict";
    (function () {
      const short = (d) => (d && d.startsWith("sha256:") ? d.slice(0, 19) : d || "");
      const sections = {
        workloads: (m) => m.workloads.map((w) => ({ key: [w.namespace, w.kind, w.name, w.container].join("/"), status: w.status,
          cells: [w.namespace, w.name, w.kind, w.container, w.kcd, w.version || "", short(w.digest), w.status || "", String(w.availablePods)] })),
        inflight: (m) => m.inFlight.map((f) => ({ key: f.kcd, status: f.phase,
          cells: [f.kcd, f.phase, f.version, f.progress.map((p) => p.workload + ": " + p.available + "/" + p.replicas + " available, " + p.updated + " updated").join("; "), f.since || ""] })),
        rollouts: (m) => m.rollouts.map((r) => ({ key: r.kcd + "/" + r.trigger, status: r.result,
          cells: [r.startedAt, r.kcd, r.version, short(r.digest), r.result, r.trigger, r.approvedBy || ""] })),
        failed: (m) => m.failed.map((f) => ({ key: f.kcd, status: "Failed", cells: [f.kcd, short(f.digest), f.message] })),
        deliveries: (m) => m.deliveries.map((d) => ({ key: "", status: null, cells: [d.at, d.source, String(d.status)] })),
      };
      function fill(id, rows) {
        const body = document.getElementById(id);
        if (!body) return;
        const columns = body.parentElement.querySelectorAll("thead th").length;
        const fresh = document.createDocumentFragment();
        for (const r of rows) {
          const tr = document.createElement("tr");
          tr.dataset.key = r.key;
          if (r.status) tr.className = "status-" + r.status.toLowerCase();
          for (const c of r.cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
          fresh.appendChild(tr);
        }
        if (rows.length === 0) {
          const tr = document.createElement("tr"); tr.className = "empty";
          const td = document.createElement("td"); td.colSpan = columns; td.textContent = "none"; tr.appendChild(td); fresh.appendChild(tr);
        }
        body.replaceChildren(fresh);
      }
      async function refresh() {
        try {
          const answer = await fetch("/api/v1/dashboard" + window.location.search, { headers: { Accept: "application/json" } });
          if (!answer.ok) return;
          const m = await answer.json();
          for (const id of Object.keys(sections)) fill(id, sections[id](m));
          document.getElementById("leader").textContent = (m.leader && m.leader.leader) || "none yet";
          document.getElementById("updated").textContent = m.generatedAt;
        } catch (e) {
          // The next tick tries again (kcd restarting, a network blip).
        }
      }
      setInterval(refresh, 2000);
    })();
    """
}
