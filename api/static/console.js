// Switchboard agent desk. Every text from the server is set with textContent, never HTML.
// The session is an HttpOnly cookie set by the sign-in; the queue and the open conversation
// arrive over server-sent events (no polling).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { me: null, current: null, queue: null, conversation: null, items: [], agents: [] };

  const status = (text) => { $("cs-status").textContent = text; };

  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) { showLogin("Please sign in."); throw new Error("unauthorized"); }
    if (!response.ok) {
      let message = `Request failed (${response.status}).`;
      try { message = (await response.json()).error.message; } catch (_) { /* keep the default */ }
      status(message);
      throw new Error(message);
    }
    return response.status === 204 ? null : response.json();
  }

  function stopStreams() {
    if (state.queue) state.queue.close();
    if (state.conversation) state.conversation.close();
    state.queue = state.conversation = null;
  }

  function showLogin(message) {
    stopStreams();
    state.me = null;
    $("cs-main").hidden = true;
    $("cs-signout").hidden = true;
    $("cs-login").hidden = false;
    status(message || "Sign in to see the queue.");
    $("cs-agent").focus();
    fetch("/v1/console/sign-in-options").then((r) => r.json()).then((options) => {
      $("cs-oidc").hidden = !options.oidc;
    }).catch(() => {});
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function waited(seconds) {
    const minutes = Math.floor(seconds / 60);
    return minutes < 1 ? "under a minute" : minutes === 1 ? "1 min" : `${minutes} min`;
  }

  function renderQueue() {
    const list = $("cs-queue");
    list.replaceChildren();
    $("cs-empty").hidden = state.items.length > 0;
    for (const item of state.items) {
      const li = element("li", item.escalated ? "cs-escalated" : "");
      const button = element("button");
      button.type = "button";
      button.dataset.conversation = item.conversation_id;
      const who = item.customer_name || item.customer_id || "anonymous";
      const owner = item.agent ? `with ${item.agent}` : "waiting";
      button.append(element("strong", "", who), document.createTextNode(` · ${item.reason} · ${item.queue}`));
      const meta = `${item.channel} · ${owner} · ${waited(item.wait_s)}${item.escalated ? " · escalated" : ""}`;
      button.append(element("span", "cs-row-meta", meta));
      if (item.last_message) button.append(element("span", "cs-row-meta", `“${item.last_message}”`));
      button.setAttribute("aria-current", String(item.conversation_id === state.current));
      button.addEventListener("click", () => open(item.conversation_id));
      li.append(button);
      list.append(li);
    }
    const current = state.items.find((i) => i.conversation_id === state.current);
    $("cs-owner").textContent = current ? (current.agent || "nobody yet") : "";
  }

  function renderAgents() {
    const supervisor = state.me && state.me.role === "supervisor";
    $("cs-supervisor").hidden = !supervisor;
    $("cs-assign-box").hidden = !supervisor;
    if (!supervisor) return;
    const list = $("cs-agents");
    list.replaceChildren();
    const select = $("cs-assign");
    select.replaceChildren(element("option", "", "—"));
    for (const agent of state.agents) {
      const held = agent.conversations.length;
      list.append(element("li", "", `${agent.name} (${agent.role}) · ${agent.online ? "online" : "away"} · ${held} open`));
      const option = element("option", "", agent.name);
      option.value = agent.id;
      select.append(option);
    }
  }

  async function loadAttention() {
    const report = await call("GET", "/v1/console/attention");
    const list = $("cs-attention");
    list.replaceChildren();
    for (const customer of report.customers) {
      const reasons = customer.flags.map((f) => f.detail || f.reason).join("; ");
      list.append(element("li", "", `${customer.customer}: ${reasons}`));
    }
    if (!report.customers.length) list.append(element("li", "cs-note", "No one flagged."));
  }

  function line(role, text, who) {
    const li = element("li", `cs-${role}`);
    li.append(element("span", "cs-who", who || role), element("span", "", text));
    $("cs-log").append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  const SHOWN = { "customer.message": "customer", "agent.message": "agent", "notification": "system" };

  function show(name, data) {
    if (name === "turn.completed" && data.text) line("assistant", data.text);
    else if (name === "handoff") line("system", `Handed off: ${data.reason}`);
    else if (SHOWN[name]) line(SHOWN[name], data.text, data.agent);
  }

  async function loadContext(conversationId) {
    const context = await call("GET", `/v1/console/conversations/${encodeURIComponent(conversationId)}/context`);
    const account = $("cs-account");
    account.replaceChildren();
    if (!context.account.length) account.append(element("li", "cs-note", "Not signed in: no account to show."));
    for (const view of context.account) account.append(element("li", `cs-tool-${view.tool}`, view.summary));
    const quotes = $("cs-quotes");
    quotes.replaceChildren();
    if (!context.open_quotes.length) quotes.append(element("li", "cs-note", "None."));
    for (const quote of context.open_quotes) quotes.append(element("li", "", `${quote.summary} (${quote.status})`));
  }

  async function open(conversationId) {
    state.current = conversationId;
    const id = encodeURIComponent(conversationId);
    const view = await call("GET", `/v1/console/conversations/${id}`);
    $("cs-conversation").hidden = false;
    const item = state.items.find((i) => i.conversation_id === conversationId);
    $("cs-customer").textContent = (item && item.customer_name) || view.customer_id || "anonymous";
    $("cs-channel").textContent = view.channel;
    $("cs-reason").textContent = view.handoff ? `${view.handoff.reason} (${view.handoff.queue})` : "";
    $("cs-summary").textContent = view.handoff ? view.handoff.summary : "";
    $("cs-log").replaceChildren();
    renderQueue();
    if (state.conversation) state.conversation.close();
    const stream = new EventSource(`/v1/console/conversations/${id}/stream?after=0`);
    for (const name of ["customer.message", "agent.message", "notification", "turn.completed", "handoff"]) {
      stream.addEventListener(name, (event) => show(name, JSON.parse(event.data)));
    }
    state.conversation = stream;
    await loadContext(conversationId);
    $("cs-text").focus();
  }

  async function act(action) {
    if (!state.current) return;
    await call("POST", `/v1/console/conversations/${encodeURIComponent(state.current)}/${action}`);
    status(action === "take" ? "You have this conversation." : action === "return" ? "Handed back to the assistant." : "Closed.");
  }

  function listen() {
    const stream = new EventSource("/v1/console/stream");
    stream.addEventListener("queue", (event) => {
      const data = JSON.parse(event.data);
      state.items = data.items;
      state.agents = data.agents;
      renderQueue();
      renderAgents();
      loadAttention().catch(() => {});
      $("cs-main").dataset.live = "true";
    });
    state.queue = stream;
  }

  $("cs-login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const agent = $("cs-agent").value.trim();
    const response = await fetch("/v1/console/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ agent, password: $("cs-password").value }),
    });
    $("cs-password").value = "";
    if (!response.ok) { status("That name and password were not accepted."); return; }
    await start();
  });
  $("cs-signout").addEventListener("click", async () => {
    await fetch("/v1/console/session", { method: "DELETE", credentials: "same-origin" });
    showLogin("Signed out.");
  });
  $("cs-take").addEventListener("click", () => act("take").catch(() => {}));
  $("cs-return").addEventListener("click", () => act("return").catch(() => {}));
  $("cs-close").addEventListener("click", () => act("close").catch(() => {}));
  $("cs-assign").addEventListener("change", async () => {
    const agent = $("cs-assign").value;
    if (!agent || !state.current) return;
    await call("POST", `/v1/console/conversations/${encodeURIComponent(state.current)}/assign`, { agent }).catch(() => {});
  });
  $("cs-suggest").addEventListener("click", async () => {
    if (!state.current) return;
    const draft = await call("GET", `/v1/console/conversations/${encodeURIComponent(state.current)}/suggestion`);
    $("cs-text").value = draft.text;
    $("cs-text").focus();
  });
  $("cs-reply").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("cs-text").value.trim();
    if (!text || !state.current) return;
    await call("POST", `/v1/console/conversations/${encodeURIComponent(state.current)}/messages`, { text });
    $("cs-text").value = "";
  });
  $("cs-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("cs-reply").requestSubmit();
  });

  async function start() {
    try {
      state.me = await call("GET", "/v1/console/me");
    } catch (_) { return; }
    $("cs-login").hidden = true;
    $("cs-main").hidden = false;
    $("cs-signout").hidden = false;
    status(`Signed in as ${state.me.name} (${state.me.role}).`);
    listen();
  }

  start();
})();
