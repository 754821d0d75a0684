/* Switchboard chat widget. Renders text only (textContent; never innerHTML of model or agent
 * text). The conversation's event stream (EventSource, cookie session) is the one source of what
 * is shown; the transcript and the last event id are kept together in sessionStorage, so a dropped
 * connection or a reload resumes with ?after=<id> / Last-Event-ID without losing or repeating. */
(function () {
  "use strict";
  var STORE = "switchboard.widget.v1";
  var root = document.getElementById("switchboard");
  if (!root) { embed(); return; }

  var $ = function (id) { return document.getElementById(id); };
  var log = $("sb-log"), statusLine = $("sb-status"), compose = $("sb-compose");
  var input = $("sb-input"), who = $("sb-who");
  var state = load();
  var source = null, retryTimer = null, elements = [];

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && typeof saved.lastId === "number") return saved;
    } catch (e) { /* a corrupt entry starts afresh */ }
    return { conversationId: null, lastId: 0, items: [] };
  }
  function save() { sessionStorage.setItem(STORE, JSON.stringify(state)); }
  function reset() {
    if (source) { source.close(); source = null; }
    state = { conversationId: null, lastId: 0, items: [] };
    elements = [];
    log.replaceChildren();
    save();
  }
  function setStatus(text) { statusLine.textContent = text || ""; }

  function api(method, path, body, headers) {
    var init = { method: method, credentials: "same-origin", headers: headers || {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init);
  }
  function errorText(response) {
    return response.json().then(function (b) {
      return (b && b.error && b.error.message) || "Something went wrong.";
    }, function () { return "Something went wrong."; });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  /* ---------- transcript model ---------- */
  function current() {
    for (var i = state.items.length - 1; i >= 0; i--) {
      if (state.items[i].kind === "assistant" && !state.items[i].done) return state.items[i];
    }
    return null;
  }
  function add(item) { state.items.push(item); render(state.items.length - 1); return item; }
  function update(item) { render(state.items.indexOf(item)); }

  function apply(id, name, data) {
    if (id <= state.lastId) return;  // already shown: replays never repeat
    state.lastId = id;
    var turn = current();
    switch (name) {
      case "customer.message":  // shown when sent; from the log only if this page did not send it
        if (!state.items.some(function (it) { return it.kind === "customer" && it.cmid && it.cmid === data.client_message_id; })) {
          add({ kind: "customer", text: data.text, cmid: data.client_message_id });
        }
        break;
      case "turn.started":
        add({ kind: "assistant", turnId: data.turn_id, text: "", cites: [], done: false });
        setStatus("Assistant is typing…");
        break;
      case "token":
        if (!turn) turn = add({ kind: "assistant", text: "", cites: [], done: false });
        turn.text += data.text; update(turn);
        break;
      case "citation":
        if (turn) { turn.cites.push({ title: data.title, url: data.url }); update(turn); }
        break;
      case "action.proposed":
        add({ kind: "action", actionId: data.action_id, summary: data.summary, amount: data.amount,
              currency: data.currency, status: "proposed" });
        break;
      case "action.executed":
        state.items.forEach(function (it) {
          if (it.kind === "action" && it.actionId === data.action_id) { it.status = data.status; update(it); }
        });
        break;
      case "handoff":
        add({ kind: "notice", text: "You're being connected to a person. They'll see this conversation." });
        break;
      case "agent.message":
        add({ kind: "agent", agent: data.agent, text: data.text });
        break;
      case "notification":
        add({ kind: "notice", text: data.text });
        break;
      case "survey":
        add({ kind: "survey", surveyId: data.survey_id, question: data.question, low: data.low,
              high: data.high, score: null, status: "asked" });
        break;
      case "survey.answered":
        state.items.forEach(function (it) {
          if (it.kind === "survey" && it.surveyId === data.survey_id) { it.status = "answered"; it.score = data.score; update(it); }
        });
        break;
      case "error":
        add({ kind: "notice", error: true, text: data.message });
        break;
      case "turn.completed":
        if (turn) { if (data.text) turn.text = data.text; turn.done = true; update(turn); }
        else if (data.text) add({ kind: "assistant", turnId: data.turn_id, text: data.text, cites: [], done: true });
        setStatus("");
        refreshCards();
        break;
      default:
        return save();
    }
    save();
  }

  /* ---------- rendering: text nodes only ---------- */
  function render(index) {
    var item = state.items[index];
    var li = elements[index];
    if (!li) { li = document.createElement("li"); elements[index] = li; log.appendChild(li); }
    li.replaceChildren();
    if (item.kind === "action") renderAction(li, item);
    else if (item.kind === "survey") renderSurvey(li, item);
    else {
      li.className = "sb-msg sb-" + item.kind + (item.error ? " sb-error" : "");
      if (item.kind === "agent") {
        var name = document.createElement("span");
        name.className = "sb-agent-name"; name.textContent = item.agent;
        li.appendChild(name);
      }
      li.appendChild(document.createTextNode(item.text));
      if (item.cites && item.cites.length) li.appendChild(citations(item.cites));
    }
    log.scrollTop = log.scrollHeight;
  }
  function safeUrl(url) {
    try {
      var parsed = new URL(url, location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }
  function citations(cites) {
    var list = document.createElement("ul");
    list.className = "sb-cites"; list.setAttribute("aria-label", "Sources");
    cites.forEach(function (c) {
      var li = document.createElement("li"), href = safeUrl(c.url);
      var node = document.createElement(href ? "a" : "span");
      if (href) { node.href = href; node.target = "_blank"; node.rel = "noopener noreferrer"; }
      node.textContent = c.title;
      li.appendChild(node); list.appendChild(li);
    });
    return list;
  }
  var STATES = { ok: "Done.", failed: "That didn't go through.", cancelled: "Cancelled.", expired: "This quote has expired." };
  function renderAction(li, item) {
    li.className = "sb-card";
    li.setAttribute("aria-label", "Please confirm");
    var title = document.createElement("p");
    title.className = "sb-card-title"; title.textContent = item.summary;
    li.appendChild(title);
    if (item.amount !== null && item.amount !== undefined) {
      var amount = document.createElement("p");
      amount.className = "sb-card-amount";
      amount.textContent = formatMoney(item.amount, item.currency);
      li.appendChild(amount);
    }
    if (item.status === "proposed") {
      var row = document.createElement("div");
      row.className = "sb-row";
      // Decide once the assistant has finished the reply that quoted it.
      var busy = !!current();
      row.appendChild(button("Confirm", "", function (b) { decide(item, "confirm", b); }, busy));
      row.appendChild(button("Cancel", "sb-secondary", function (b) { decide(item, "cancel", b); }, busy));
      li.appendChild(row);
    } else {
      var done = document.createElement("p");
      done.className = "sb-card-state"; done.textContent = STATES[item.status] || item.status;
      li.appendChild(done);
    }
  }
  function renderSurvey(li, item) {
    li.className = "sb-card sb-survey";
    li.setAttribute("aria-label", "Survey");
    var title = document.createElement("p");
    title.className = "sb-card-title"; title.textContent = item.question;
    li.appendChild(title);
    if (item.status !== "asked") {
      var done = document.createElement("p");
      done.className = "sb-card-state";
      done.textContent = item.status === "answered" ? "Thank you — you gave " + item.score + "." : "Thanks anyway.";
      li.appendChild(done);
      return;
    }
    var scores = document.createElement("div");
    scores.className = "sb-row sb-scores"; scores.setAttribute("role", "group");
    for (var n = item.low; n <= item.high; n++) {
      (function (score) {
        var b = button(String(score), item.score === score ? "sb-chosen" : "sb-secondary", function () {
          item.score = score; update(item);
        });
        b.setAttribute("aria-pressed", item.score === score ? "true" : "false");
        scores.appendChild(b);
      })(n);
    }
    li.appendChild(scores);
    var scale = document.createElement("p");
    scale.className = "sb-scale";
    scale.textContent = item.high === 10 ? "0 = not at all likely, 10 = extremely likely" : "1 = very dissatisfied, 5 = very satisfied";
    li.appendChild(scale);
    var comment = document.createElement("textarea");
    comment.className = "sb-survey-comment"; comment.rows = 2; comment.maxLength = 2000;
    comment.placeholder = "Anything you'd like to tell us? (optional)";
    comment.value = item.comment || "";
    comment.addEventListener("input", function () { item.comment = comment.value; });
    li.appendChild(comment);
    var row = document.createElement("div");
    row.className = "sb-row";
    row.appendChild(button("Send", "", function (b) { answerSurvey(item, b); }, item.score === null));
    li.appendChild(row);
  }
  function answerSurvey(item, btn) {
    btn.disabled = true;
    var path = "/v1/conversations/" + state.conversationId + "/surveys/" + item.surveyId;
    api("POST", path, { score: item.score, comment: item.comment || null }).then(function (r) {
      if (r.ok || r.status === 409) { item.status = "answered"; update(item); save(); return; }
      return errorText(r).then(function (text) { notice(text, true); btn.disabled = false; });
    }, function () { notice("Network problem. Please try again.", true); btn.disabled = false; });
  }
  function refreshCards() {
    state.items.forEach(function (it, i) { if (it.kind === "action" && it.status === "proposed") render(i); });
  }
  function formatMoney(amount, currency) {
    try { return new Intl.NumberFormat("en-GB", { style: "currency", currency: currency || "GBP" }).format(amount); }
    catch (e) { return String(amount) + " " + (currency || ""); }
  }
  function button(label, cls, onClick, disabled) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = label; b.className = cls; b.disabled = !!disabled;
    b.addEventListener("click", function () { onClick(b); });
    return b;
  }
  function decide(item, verb, btn) {
    var card = btn.parentNode;
    Array.prototype.forEach.call(card.querySelectorAll("button"), function (b) { b.disabled = true; });
    var path = "/v1/conversations/" + state.conversationId + "/actions/" + item.actionId + "/" + verb;
    api("POST", path).then(function (r) {
      if (r.ok) return r.json().then(function (outcome) { item.status = outcome.status; update(item); save(); });
      return errorText(r).then(function (text) { notice(text, true); update(item); });
    }, function () { notice("Network problem. Please try again.", true); update(item); });
  }
  function notice(text, error) { add({ kind: "notice", text: text, error: !!error }); save(); }

  /* ---------- the event stream ---------- */
  var NAMES = ["customer.message", "turn.started", "retrieval", "token", "tool.call", "tool.result", "action.proposed",
               "action.executed", "citation", "handoff", "agent.message", "notification", "error",
               "turn.completed", "survey", "survey.answered"];
  function connect() {
    if (source) source.close();
    clearTimeout(retryTimer);
    var url = "/v1/conversations/" + state.conversationId + "/events?after=" + state.lastId;
    source = new EventSource(url, { withCredentials: true });
    NAMES.forEach(function (name) {
      source.addEventListener(name, function (ev) {
        if (!ev.lastEventId) return;
        apply(parseInt(ev.lastEventId, 10), name, JSON.parse(ev.data));
      });
    });
    source.onopen = function () { setStatus(current() ? "Assistant is typing…" : ""); };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {  // refused (e.g. 404/429): we reconnect
        setStatus("Reconnecting…");
        retryTimer = setTimeout(checkAndReconnect, 2000);
      } else setStatus("Reconnecting…");  // the browser retries with Last-Event-ID itself
    };
  }
  function checkAndReconnect() {
    api("GET", "/v1/conversations/" + state.conversationId).then(function (r) {
      if (r.status === 404 || r.status === 401) { reset(); start(); }
      else connect();
    }, function () { retryTimer = setTimeout(checkAndReconnect, 3000); });
  }

  /* ---------- conversation ---------- */
  function send(text, messageId, attempt) {
    var path = "/v1/conversations/" + state.conversationId + "/messages";
    return api("POST", path, { text: text, client_message_id: messageId }).then(function (r) {
      if (!r.ok) return errorText(r).then(function (t) { notice(t, true); });
      // The reply is shown from the event stream; this copy of it is read and dropped.
      return r.body ? r.body.pipeTo(new WritableStream()).catch(function () {}) : r.text();
    }, function () {
      // Same client_message_id: a retried POST never runs a second turn.
      if (attempt < 2) return new Promise(function (ok) { setTimeout(ok, 1000); })
        .then(function () { return send(text, messageId, attempt + 1); });
      notice("Network problem. Your message may not have been sent.", true);
    });
  }
  compose.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || !state.conversationId) return;
    input.value = "";
    var messageId = uuid();
    add({ kind: "customer", text: text, cmid: messageId }); save();
    send(text, messageId, 0);
  });

  function start() {
    if (state.conversationId) { showConversation(); return Promise.resolve(); }
    return api("POST", "/v1/conversations").then(function (r) {
      if (!r.ok) return errorText(r).then(function (t) { setStatus(t); });
      return r.json().then(function (body) {
        state.conversationId = body.conversation_id; save();
        showConversation();
      });
    });
  }
  function showConversation() {
    compose.hidden = false;
    log.replaceChildren(); elements = [];
    state.items.forEach(function (_, i) { render(i); });
    connect();
    input.focus();
  }

  /* ---------- sign-in ---------- */
  var picker = $("sb-signin"), select = $("sb-customer");
  function showWho(session) {
    $("sb-signout").hidden = !session.signed_in;
    who.textContent = session.signed_in
      ? "Signed in: " + session.msisdn + (session.verified ? "" : " (not verified)")
      : "Not signed in: general questions only";
  }
  function refreshSession() {
    return api("GET", "/v1/session").then(function (r) {
      return r.ok ? r.json() : { signed_in: false };
    }, function () { return { signed_in: false }; });
  }
  function signedIn(token) {
    picker.hidden = true;
    reset();
    return refreshSession().then(function (s) { showWho(s); return start(); });
  }
  $("sb-signin-go").addEventListener("click", function () {
    api("POST", "/v1/demo/session", { msisdn: select.value }).then(function (r) {
      if (r.ok) return signedIn();
      return errorText(r).then(setStatus);
    });
  });
  $("sb-anon-go").addEventListener("click", function () {
    picker.hidden = true; showWho({ signed_in: false }); start();
  });
  var challenge = null;
  $("sb-otp-go").addEventListener("click", function () {
    var msisdn = select.value;
    api("POST", "/v1/demo/otp", { msisdn: msisdn }).then(function (r) {
      if (!r.ok) return errorText(r).then(setStatus);
      return r.json().then(function (body) {
        challenge = body.challenge_id;
        $("sb-otp").hidden = false;
        return api("GET", "/v1/demo/outbox?msisdn=" + encodeURIComponent(msisdn)).then(function (o) {
          return o.json().then(function (items) {
            $("sb-otp-phone").textContent = "Demo phone " + msisdn + " received: " + (items[0] ? items[0].text : "");
            $("sb-otp-code").focus();
          });
        });
      });
    });
  });
  $("sb-otp").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/v1/demo/otp/verify", { challenge_id: challenge, code: $("sb-otp-code").value.trim() })
      .then(function (r) { return r.ok ? signedIn() : errorText(r).then(setStatus); });
  });
  $("sb-signout").addEventListener("click", function () {
    api("DELETE", "/v1/session").then(function () { reset(); boot(); });
  });

  /* ---------- embedded: a token from the operator's page (postMessage) ---------- */
  var params = new URLSearchParams(location.search);
  var parentOrigin = params.get("parent");
  if (parentOrigin) {
    window.addEventListener("message", function (ev) {
      if (ev.origin !== parentOrigin || !ev.data || ev.data.type !== "switchboard:token") return;
      api("POST", "/v1/session", undefined, { Authorization: "Bearer " + ev.data.token })
        .then(function (r) { if (r.ok) signedIn(); });
    });
  }

  function boot() {
    refreshSession().then(function (session) {
      showWho(session);
      if (session.signed_in || state.conversationId) { picker.hidden = true; return start(); }
      return api("GET", "/v1/demo/customers").then(function (r) {
        if (!r.ok) { picker.hidden = true; return start(); }  // production: no picker
        return r.json().then(function (customers) {
          select.replaceChildren();
          customers.forEach(function (c) {
            var option = document.createElement("option");
            option.value = c.msisdn;
            option.textContent = c.name + " — " + c.msisdn + " (" + c.segment + ")";
            select.appendChild(option);
          });
          picker.hidden = false;
          select.focus();
        });
      });
    });
  }
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  boot();

  /* ---------- embed on an operator's page: a launcher and an iframe of this widget ---------- */
  function embed() {
    var script = document.currentScript;
    var origin = new URL(script ? script.src : location.href).origin;
    var frame = null;
    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.textContent = "Chat with us";
    launcher.setAttribute("aria-expanded", "false");
    Object.assign(launcher.style, { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000",
      padding: "12px 18px", borderRadius: "24px", border: "0", background: "#123e7c", color: "#fff",
      font: "16px system-ui, sans-serif", cursor: "pointer" });
    launcher.addEventListener("click", function () {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.title = "Chat with us";
        frame.src = origin + "/?embed=1&parent=" + encodeURIComponent(location.origin);
        Object.assign(frame.style, { position: "fixed", right: "16px", bottom: "72px", zIndex: "2147483000",
          width: "min(400px, calc(100vw - 32px))", height: "min(640px, calc(100vh - 96px))", border: "0",
          borderRadius: "16px", boxShadow: "0 8px 30px rgba(0,0,0,.25)", background: "#fff" });
        document.body.appendChild(frame);
      } else frame.hidden = !frame.hidden;
      launcher.setAttribute("aria-expanded", String(!frame.hidden));
    });
    document.body.appendChild(launcher);
    window.Switchboard = {
      signIn: function (token) {  // the operator's page hands over its signed customer token
        var post = function () { frame.contentWindow.postMessage({ type: "switchboard:token", token: token }, origin); };
        if (!frame) { launcher.click(); frame.addEventListener("load", post); } else post();
      }
    };
  }
})();
