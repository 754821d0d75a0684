// Switchboard agent console. Every text from the server is set with textContent, never HTML.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem("sb-console-token") || "", agent: sessionStorage.getItem("sb-console-agent") || "", current: null, after: 0, timer: null };

  const status = (text) => { $("cs-status").textContent = text; };

  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) { showLogin("That token was not accepted."); throw new Error("unauthorized"); }
    if (!response.ok) {
      let message = `Request failed (${response.status}).`;
      try { message = (await response.json()).error.message; } catch (_) { /* keep the default */ }
      status(message);
      throw new Error(message);
    }
    return response.status === 204 ? null : response.json();
  }

  function showLogin(message) {
    $("cs-main").hidden = true;
    $("cs-login").hidden = false;
    status(message || "");
    $("cs-token").focus();
  }

  async function loadQueue() {
    const items = await call("GET", "/v1/console/queue");
    const list = $("cs-queue");
    list.replaceChildren();
    $("cs-empty").hidden = items.length > 0;
    for (const item of items) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      const who = item.customer_id ? item.customer_id : "anonymous";
      const owner = item.agent ? ` — ${item.agent}` : " — waiting";
      button.textContent = `${item.channel} · ${who} · ${item.reason}${owner}`;
      button.setAttribute("aria-current", String(item.conversation_id === state.current));
      button.addEventListener("click", () => open(item.conversation_id));
      li.append(button);
      list.append(li);
    }
  }

  function line(role, text, who) {
    const li = document.createElement("li");
    li.className = `cs-${role}`;
    const label = document.createElement("span");
    label.className = "cs-who";
    label.textContent = who || role;
    const body = document.createElement("span");
    body.textContent = text;
    li.append(label, body);
    $("cs-log").append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  async function open(conversationId) {
    state.current = conversationId;
    state.after = 0;
    const view = await call("GET", `/v1/console/conversations/${encodeURIComponent(conversationId)}`);
    $("cs-conversation").hidden = false;
    $("cs-channel").textContent = view.channel;
    $("cs-customer").textContent = view.customer_id || "anonymous";
    $("cs-reason").textContent = view.handoff ? `${view.handoff.reason} (${view.handoff.queue})` : "";
    $("cs-summary").textContent = view.handoff ? view.handoff.summary : "";
    $("cs-log").replaceChildren();
    await poll();
    await loadQueue();
    $("cs-text").focus();
  }

  const SHOWN = { "customer.message": "customer", "agent.message": "agent", "notification": "system" };

  async function poll() {
    if (!state.current) return;
    const id = encodeURIComponent(state.current);
    const events = await call("GET", `/v1/console/conversations/${id}/events?after=${state.after}`);
    for (const event of events) {
      state.after = event.id;
      if (event.event === "turn.completed" && event.data.text) line("assistant", event.data.text);
      else if (event.event === "handoff") line("system", `Handed off: ${event.data.reason}`);
      else if (SHOWN[event.event]) line(SHOWN[event.event], event.data.text, event.data.agent);
    }
  }

  async function act(action) {
    if (!state.current) return;
    await call("POST", `/v1/console/conversations/${encodeURIComponent(state.current)}/${action}`, { agent: state.agent });
    status(action === "take" ? "You have this conversation." : action === "return" ? "Handed back to the assistant." : "Closed.");
    await poll();
    await loadQueue();
  }

  $("cs-login").addEventListener("submit", async (event) => {
    event.preventDefault();
    state.token = $("cs-token").value.trim();
    state.agent = $("cs-agent").value.trim();
    sessionStorage.setItem("sb-console-token", state.token);
    sessionStorage.setItem("sb-console-agent", state.agent);
    await start();
  });
  $("cs-refresh").addEventListener("click", () => loadQueue().catch(() => {}));
  $("cs-take").addEventListener("click", () => act("take").catch(() => {}));
  $("cs-return").addEventListener("click", () => act("return").catch(() => {}));
  $("cs-close").addEventListener("click", () => act("close").catch(() => {}));
  $("cs-reply").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("cs-text").value.trim();
    if (!text || !state.current) return;
    await call("POST", `/v1/console/conversations/${encodeURIComponent(state.current)}/messages`, { agent: state.agent, text });
    $("cs-text").value = "";
    await poll();
  });
  $("cs-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("cs-reply").requestSubmit();
  });

  async function start() {
    try {
      await loadQueue();
    } catch (_) { return; }
    $("cs-login").hidden = true;
    $("cs-main").hidden = false;
    status(`Signed in as ${state.agent}.`);
    clearInterval(state.timer);
    state.timer = setInterval(() => { loadQueue().catch(() => {}); poll().catch(() => {}); }, 3000);
  }

  if (state.token && state.agent) start(); else showLogin();
})();
