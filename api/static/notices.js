// The operator's list of proactive notices (GET /v1/admin/notices, console token): each with its
// state, the reason it was held back, and its channel delivery. Text only: no HTML from data.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem("sb-console-token") || "" };

  function showLogin(message) {
    $("nt-main").hidden = true;
    $("nt-login").hidden = false;
    $("nt-status").textContent = message || "";
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
  }

  async function load() {
    const params = new URLSearchParams();
    for (const [name, id] of [["status", "nt-state"], ["kind", "nt-kind"], ["ref", "nt-ref"]]) {
      const value = $(id).value.trim();
      if (value) params.set(name, value);
    }
    const response = await fetch(`/v1/admin/notices?${params}`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (response.status === 401) { showLogin("That token was not accepted."); return; }
    if (!response.ok) { $("nt-status").textContent = `Could not load (${response.status}).`; return; }
    const notices = await response.json();
    const body = $("nt-rows");
    body.replaceChildren();
    for (const n of notices) {
      const row = document.createElement("tr");
      row.dataset.state = n.status;
      for (const value of [n.created_at.slice(0, 16).replace("T", " "), n.kind, n.ref,
        n.customer_id, n.channel, n.status, n.reason, n.delivery, n.text]) cell(row, value);
      body.appendChild(row);
    }
    $("nt-login").hidden = true;
    $("nt-main").hidden = false;
    $("nt-status").textContent = `${notices.length} notices`;
  }

  $("nt-login").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = $("nt-token").value.trim();
    sessionStorage.setItem("sb-console-token", state.token);
    load();
  });
  $("nt-filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  if (state.token) load(); else showLogin();
})();
