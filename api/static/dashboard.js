// Switchboard operator dashboard: GET /v1/admin/analytics drawn with Chart.js (vendored), and the
// top knowledge gaps from GET /v1/admin/gaps as a table.
// Every text from the server is set with textContent, never HTML.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const TARGET = 0.8;
  const state = { token: sessionStorage.getItem("sb-dashboard-session") || "", report: null, gaps: null, charts: {} };
  const TOP_GAPS = 10;
  const status = (text) => { $("db-status").textContent = text; };
  const pct = (v) => (v === null || v === undefined ? "n/a" : `${(v * 100).toFixed(1)}%`);

  function showLogin(message) {
    $("db-main").hidden = true;
    $("db-login").hidden = false;
    status(message || "");
  }

  // Empty dates: the server's default period (the last 30 days on the demo world's clock).
  function query() {
    const params = new URLSearchParams();
    if ($("db-since").value) params.set("since", `${$("db-since").value}T00:00:00Z`);
    if ($("db-until").value) params.set("until", `${$("db-until").value}T23:59:59Z`);
    if ($("db-channel").value) params.set("channel", $("db-channel").value);
    if ($("db-segment").value) params.set("segment", $("db-segment").value);
    return params;
  }

  async function load() {
    const response = await fetch(`/v1/admin/analytics?${query()}`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (response.status === 401) { showLogin("Please sign in."); return; }
    if (response.status === 403) { showLogin("The dashboard is for supervisors."); return; }
    if (!response.ok) { status(`Could not load the numbers (${response.status}).`); return; }
    state.report = await response.json();
    if (!$("db-since").value) $("db-since").value = state.report.since.slice(0, 10);
    if (!$("db-until").value) $("db-until").value = state.report.until.slice(0, 10);
    $("db-login").hidden = true;
    $("db-main").hidden = false;
    render(state.report);
    $("db-main").dataset.loaded = state.report.until;  // tests and scripts wait for this
    status(`Updated ${new Date().toLocaleTimeString()}`);
    await Promise.all([loadGaps(), loadAttention()]);
  }

  async function loadAttention() {
    const params = new URLSearchParams();
    if (state.report) params.set("as_of", state.report.until);
    const response = await fetch(`/v1/admin/attention?${params}`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (!response.ok) { status(`Could not load the customers who need attention (${response.status}).`); return; }
    renderAttention(await response.json());
  }

  function renderAttention(a) {
    const body = $("db-attention").querySelector("tbody");
    body.replaceChildren();
    for (const c of a.customers) {
      const row = document.createElement("tr");
      cell(row, c.customer);
      cell(row, c.flags.map((f) => f.detail).join("; "));
      cell(row, String(c.recent_contacts));
      cell(row, c.usual_contacts === null ? "no norm yet" : c.usual_contacts.toFixed(1));
      cell(row, c.last_contact.slice(0, 16).replace("T", " "));
      body.appendChild(row);
    }
    $("db-attention").hidden = a.customers.length === 0;
    $("db-attention-empty").hidden = a.customers.length !== 0;
  }

  // Gaps embed every question, so they come after the numbers rather than hold them up.
  async function loadGaps() {
    const response = await fetch(`/v1/admin/gaps?${query()}`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (!response.ok) { status(`Could not load the knowledge gaps (${response.status}).`); return; }
    state.gaps = await response.json();
    renderGaps(state.gaps);
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function renderGaps(g) {
    const body = $("db-gaps").querySelector("tbody");
    body.replaceChildren();
    for (const t of g.topics.slice(0, TOP_GAPS)) {
      const row = document.createElement("tr");
      cell(row, t.label);
      cell(row, t.keywords.join(", "));
      cell(row, String(t.count));
      cell(row, String(t.conversations));
      cell(row, Object.entries(t.reasons).map(([k, v]) => `${k.replaceAll("_", " ")} ${v}`).join(", "));
      cell(row, t.examples.filter((e) => e !== t.label).join(" · "));
      body.appendChild(row);
    }
    $("db-gaps").hidden = g.topics.length === 0;
    $("db-gaps-empty").hidden = g.topics.length !== 0;
  }

  function chart(id, config) {
    if (state.charts[id]) state.charts[id].destroy();
    state.charts[id] = new window.Chart($(id), { ...config, options: { animation: false, responsive: true, ...config.options } });
  }

  function bars(id, counts, label) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 10);
    chart(id, { type: "bar", data: { labels: entries.map((e) => e[0]), datasets: [{ label, data: entries.map((e) => e[1]) }] } });
  }

  function render(r) {
    const a = r.automation;
    $("db-automation").textContent = pct(a.rate);
    $("db-automation").dataset.value = a.rate === null ? "" : String(a.rate);
    $("db-automation-detail").textContent = `${a.automated} of ${a.counted} (confirmed ${a.confirmed}, assumed ${a.assumed}); target ${pct(a.target)}`;
    $("db-conversations").textContent = String(r.conversations);
    $("db-proactive").textContent = `${r.proactive_conversations} proactive, ${r.customer_messages} messages`;
    $("db-containment").textContent = pct(r.containment);
    $("db-handoff-rate").textContent = pct(r.handoff_rate);
    const wait = r.queue_wait_s;
    const secs = (v) => (v === null ? "n/a" : `${Math.round(v)} s`);
    $("db-queue-wait").textContent = `queue wait p50 ${secs(wait.p50)}, p95 ${secs(wait.p95)}; ${wait.waiting} still waiting`;
    const ms = (v) => (v === null ? "n/a" : `${Math.round(v)} ms`);
    $("db-latency").textContent = `${ms(r.latency_ms.p50)} / ${ms(r.latency_ms.p95)}`;
    $("db-tokens").textContent = String(r.tokens.prompt + r.tokens.completion);
    const usd = r.cost.usd === null ? "cost unknown" : `≈ $${r.cost.usd.toFixed(2)}`;
    $("db-cost").textContent = `${usd} on ${r.cost.model} (prices ${r.cost.prices_as_of})`;
    const sat = r.satisfaction;
    $("db-nps").textContent = sat.nps === null ? "n/a" : String(Math.round(sat.nps));
    $("db-nps-detail").textContent = `${sat.nps_answers} answers; ${sat.surveys_asked} surveys asked, ${sat.response_rate === null ? "n/a" : pct(sat.response_rate)} answered`;
    $("db-csat").textContent = pct(sat.csat);
    $("db-csat-detail").textContent = `${sat.csat_answers} answers; thumbs ${sat.thumbs_up} up, ${sat.thumbs_down} down`;
    chart("db-chart-automation", {
      type: "line",
      data: {
        labels: r.by_day.map((d) => d.day),
        datasets: [
          { label: "automation rate", data: r.by_day.map((d) => d.automation_rate), spanGaps: true },
          { label: "target 80%", data: r.by_day.map(() => TARGET), borderDash: [6, 4], pointRadius: r.by_day.length > 1 ? 0 : 3 },
        ],
      },
      options: { scales: { y: { min: 0, max: 1 } } },
    });
    chart("db-chart-nps", {
      type: "line",
      data: { labels: r.by_day.map((d) => d.day), datasets: [{ label: "NPS", data: r.by_day.map((d) => d.nps), spanGaps: true }] },
      options: { scales: { y: { min: -100, max: 100 } } },
    });
    bars("db-chart-handoffs", r.handoffs, "handoffs");
    bars("db-chart-capabilities", r.capabilities, "turns");
    const hours = Array.from({ length: 24 }, (_, h) => r.hours[h] || 0);
    chart("db-chart-hours", { type: "bar", data: { labels: hours.map((_, h) => String(h)), datasets: [{ label: "messages", data: hours }] } });
  }

  function download(name, type, text) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type }));
    link.download = name;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  function csv(r) {
    const rows = [["section", "key", "value"]];
    const put = (section, key, value) => rows.push([section, key, value === null ? "" : String(value)]);
    for (const [k, v] of Object.entries(r.automation)) put("automation", k, v);
    for (const k of ["conversations", "proactive_conversations", "customer_messages", "containment", "handoff_rate"]) put("totals", k, r[k]);
    for (const [k, v] of Object.entries(r.queue_wait_s)) put("queue_wait_s", k, v);
    for (const [k, v] of Object.entries(r.segments)) put("segments", k, v);
    for (const [k, v] of Object.entries(r.latency_ms)) put("latency_ms", k, v);
    for (const [k, v] of Object.entries(r.tokens)) put("tokens", k, v);
    for (const [k, v] of Object.entries(r.cost)) if (k !== "by_model") put("cost", k, v);
    for (const [name, m] of Object.entries(r.cost.by_model)) put("cost_by_model", name, m.usd);
    for (const [k, v] of Object.entries(r.satisfaction)) put("satisfaction", k, v);
    for (const [k, v] of Object.entries(r.handoffs)) put("handoffs", k, v);
    for (const [k, v] of Object.entries(r.capabilities)) put("capabilities", k, v);
    for (const [k, v] of Object.entries(r.channels)) put("channels", k, v);
    for (const [k, v] of Object.entries(r.hours)) put("hours", k, v);
    for (const [tool, statuses] of Object.entries(r.actions)) for (const [s, v] of Object.entries(statuses)) put("actions", `${tool}:${s}`, v);
    for (const d of r.by_day) { put("by_day_conversations", d.day, d.conversations); put("by_day_automation_rate", d.day, d.automation_rate); put("by_day_nps", d.day, d.nps); }
    for (const t of state.gaps ? state.gaps.topics : []) put("gaps", t.label, t.count);
    return rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(",")).join("\n") + "\n";
  }

  // A supervisor's desk session (POST /v1/console/session), sent as the bearer of the admin reads.
  $("db-login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch("/v1/console/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ agent: $("db-agent").value.trim(), password: $("db-password").value }),
    });
    $("db-password").value = "";
    if (!response.ok) { status("That name and password were not accepted."); return; }
    state.token = (await response.json()).token;
    sessionStorage.setItem("sb-dashboard-session", state.token);
    load();
  });
  $("db-filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("db-json").addEventListener("click", () => state.report && download("switchboard-analytics.json", "application/json", JSON.stringify(state.report, null, 2)));
  $("db-gaps-json").addEventListener("click", () => state.gaps && download("switchboard-gaps.json", "application/json", JSON.stringify(state.gaps, null, 2)));
  $("db-csv").addEventListener("click", () => state.report && download("switchboard-analytics.csv", "text/csv", csv(state.report)));

  if (state.token) load(); else showLogin();
})();
