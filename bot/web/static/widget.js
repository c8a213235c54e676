// Ondernemersloket chat widget. A municipality adds one tag to its pages:
//   <script src="https://<our web app>/static/widget.js" defer data-tenant="oost-vlaanderen"
//           data-municipality="Aalst" data-accent="#0b5cab" data-greeting="…"></script>
// The widget lives in a shadow root (no clash with the page's CSS), loads its Dutch texts from
// /api/widget/texts and talks socket.io (Engine.IO v4 over a WebSocket) to /socket.io/ of the
// same web app. It builds DOM nodes only (no innerHTML, no inline styles, no eval), so a strict
// Content-Security-Policy works. The conversation id and transcript stay in sessionStorage;
// after a reload the transcript comes from the server's tracker (POST /api/widget/history).
(function () {
  "use strict";
  const script = document.currentScript ||
    document.querySelector("script[src*='/static/widget.js']");
  if (!script || window.__olkWidget) { return; }
  window.__olkWidget = true;
  const ORIGIN = new URL(script.src, location.href).origin;
  const cfg = script.dataset;
  const PAGE = {};
  [["tenant", /^[a-z0-9][a-z0-9-]{0,39}$/], ["nis", /^\d{5}$/],
   ["municipality", /^[^\d_<>"]{1,60}$/]].forEach(function (rule) {
    const value = (cfg[rule[0]] || "").trim();
    if (rule[1].test(value)) { PAGE[rule[0]] = value; }
  });
  const STORE_KEY = "olk-widget:v1:" + (PAGE.tenant || "default");
  const URL_RE = /(https?:\/\/[^\s)<>"]+[^\s)<>".,;:!?])/g;
  const MAX_ITEMS = 80;
  const TURN_TIMEOUT = 30000;
  let T = {};
  let state = load();
  let ui = null;
  let sock = null;
  let turn = null;  // {items: [], timer} while waiting for the bot
  let online = false;  // the socket to Rasa is open and the conversation confirmed
  let failed = false;  // the last connection attempt failed or the socket closed

  // ---- storage --------------------------------------------------------------------------
  function load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.items)) { return saved; }
    } catch (e) { /* storage blocked or corrupt: start fresh */ }
    return { sessionId: null, items: [], open: false, handoff: "none" };
  }
  function save() {
    state.items = state.items.slice(-MAX_ITEMS);
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* full */ }
  }
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, k) { return values[k] || ""; });
  }

  // ---- colours (WCAG AA: text colour chosen by contrast) ---------------------------------
  function luminance(hex) {
    const full = hex.length === 4 ? "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3] : hex;
    const rgb = [1, 3, 5].map(function (i) {
      const c = parseInt(full.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }
  function contrast(a, b) { return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }
  function applyColours(host) {
    const accent = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(cfg.accent || "") ? cfg.accent : "#0b5cab";
    const l = luminance(accent);
    host.style.setProperty("--olk-accent", accent);
    host.style.setProperty("--olk-on-accent", contrast(l, 1) >= contrast(l, 0) ? "#ffffff" : "#000000");
    host.style.setProperty("--olk-accent-ink", contrast(l, 1) >= 4.5 ? accent : "#1d1d1b");
  }

  // ---- DOM helpers ------------------------------------------------------------------------
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function link(url, text) {
    const a = el("a", "", text || url);
    a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
    return a;
  }
  function appendText(parent, text) {
    String(text).split(URL_RE).forEach(function (part) {
      if (/^https?:\/\//.test(part)) { parent.appendChild(link(part)); }
      else if (part) { parent.appendChild(document.createTextNode(part)); }
    });
  }
  function button(cls, text, onClick) {
    const b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  // ---- rendering ----------------------------------------------------------------------
  function splitSource(text) {
    const parts = String(text || "").split("\n\n");
    const label = T.source || "Bron:";
    const at = parts.findIndex(function (p) { return p.indexOf(label) === 0; });
    if (at < 0) { return { body: parts.join("\n\n"), source: null }; }
    const source = parts.splice(at, 1)[0];
    return { body: parts.join("\n\n"), source: source };
  }

  function render(item) {
    const who = item.who;
    const node = el("div", "msg msg--" + who);
    node.dataset.id = item.id || "";
    if (item.topic) { node.dataset.topic = item.topic; }
    const labelText = who === "user" ? T.you : who === "officer" ? item.label : T.bot;
    node.appendChild(el("span", who === "officer" ? "msg__author" : "vh",
                        who === "officer" ? labelText : labelText + ": "));
    const parts = who === "user" ? { body: item.text, source: null } : splitSource(item.text);
    const body = el("p", "msg__text");
    appendText(body, parts.body);
    node.appendChild(body);
    if (parts.source || item.source) { node.appendChild(sourceLine(parts.source, item.source)); }
    if (item.choices && item.choices.length) { node.appendChild(renderChoices(item.choices)); }
    if (item.rate) { node.appendChild(renderFeedback(item)); }
    return node;
  }

  function sourceLine(text, url) {
    const line = el("p", "msg__source");
    if (text) { appendText(line, text); return line; }
    line.appendChild(document.createTextNode(T.source + " "));
    line.appendChild(link(url));
    return line;
  }

  function thumb(down) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18"); svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    const g = document.createElementNS(NS, "g");
    if (down) { g.setAttribute("transform", "rotate(180 12 12)"); }
    const cuff = document.createElementNS(NS, "rect");
    [["x", "2"], ["y", "10"], ["width", "4"], ["height", "11"], ["rx", "1"]].forEach(function (a) { cuff.setAttribute(a[0], a[1]); });
    const hand = document.createElementNS(NS, "path");
    hand.setAttribute("d", "M8 10 L12 3 C13.5 3 14.5 4 14 6 L13 9 H20 C21.2 9 22 10 21.7 11.2 " +
                           "L19.8 19.5 C19.6 20.4 18.8 21 17.9 21 H8 Z");
    g.appendChild(cuff); g.appendChild(hand); svg.appendChild(g);
    return svg;
  }

  function renderChoices(choices) {
    const bar = el("div", "msg__choices");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", T.choices_label);
    choices.forEach(function (choice) {
      const key = documentKey(choice.payload);
      if (key !== null) {  // "Document toevoegen": a file, not a message
        const b = button("msg__choice", choice.title, function () { pickDocument(key); });
        b.dataset.upload = "document";
        if (key) { b.dataset.requested = key; }
        bar.appendChild(b);
        return;
      }
      if (/^https?:\/\//.test(choice.payload)) {
        bar.appendChild(link(choice.payload, choice.title)).className = "msg__choice";
      } else {
        bar.appendChild(button("msg__choice", choice.title, function () {
          send(choice.payload, choice.title);
        }));
      }
    });
    return bar;
  }

  function renderFeedback(item) {
    const box = el("div", "msg__feedback");
    box.appendChild(el("span", "msg__feedback-q", T.feedback_question));
    const note = el("span", "msg__feedback-note");
    note.setAttribute("role", "status");
    [["up", false, T.feedback_up], ["down", true, T.feedback_down]].forEach(function (v) {
      const b = button("msg__vote msg__vote--" + v[0], undefined, function () { vote(item, v[0], box, note); });
      b.appendChild(thumb(v[1]));
      b.setAttribute("aria-label", v[2]);
      b.setAttribute("aria-pressed", item.feedback === v[0] ? "true" : "false");
      box.appendChild(b);
    });
    box.appendChild(note);
    return box;
  }

  // Keep the newest message in view; a reply taller than the log is shown from its start.
  function add(item) {
    state.items.push(item);
    save();
    const node = render(item);
    ui.log.appendChild(node);
    if (turn && item.who !== "user") {
      turn.items.push(item);
      turn.first = turn.first || node;
    }
    const first = turn && turn.first;
    if (first && ui.log.scrollHeight - first.offsetTop > ui.log.clientHeight) {
      ui.log.scrollTop = Math.max(0, first.offsetTop - 8);
    } else {
      ui.log.scrollTop = ui.log.scrollHeight;
    }
  }

  // The typing line and the connection line are live regions that stay in the document; their
  // text changes, so screen readers announce them. Never both at once: offline wins.
  function setTyping(on) {
    ui.typing.textContent = on && online ? T.typing : "";
  }
  function setConn(kind) {  // "" | "connecting" | "offline"
    const text = kind === "offline" ? T.unavailable : kind === "connecting" ? T.connecting : "";
    if (ui.conn.textContent !== text) { ui.conn.textContent = text; }
    ui.conn.className = "panel__conn" + (kind ? " panel__conn--" + kind : "");
    if (kind) { setTyping(false); }
  }

  function showHandoff() {
    const text = state.handoff === "joined" ? T.handoff_joined :
      state.handoff === "queued" ? T.handoff_queued : "";
    ui.status.textContent = text;
    ui.status.hidden = !text;
    ui.panel.classList.toggle("panel--officer", state.handoff === "joined");
  }

  function rerender() {
    ui.log.textContent = "";
    if (!state.items.length) {
      const text = cfg.greeting || (PAGE.municipality ?
        fill(T.greeting_municipality, { municipality: PAGE.municipality }) : T.greeting);
      state.items.push({ who: "bot", text: text, id: "greeting" });
      save();
    }
    state.items.forEach(function (item) { ui.log.appendChild(render(item)); });
    ui.log.scrollTop = ui.log.scrollHeight;
    showHandoff();
  }

  // ---- documents (bot/web/documents.py): the answer text comes from the server ----------------
  // A button for one requested document carries its id:
  // /add_dossier_document{"requested_document":"terrace_plan"} (sent as X-Requested-Document).
  const DOCUMENT_PAYLOAD = "/add_dossier_document";
  const KEYED_DOCUMENT = /^\/add_dossier_document\{"requested_document":"([a-z0-9_]{1,64})"\}$/;
  function documentKey(payload) {  // null: not a document button; "": any document
    if (payload === DOCUMENT_PAYLOAD) { return ""; }
    const match = KEYED_DOCUMENT.exec(String(payload || ""));
    return match ? match[1] : null;
  }
  function pickDocument(key) {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
    input.hidden = true;
    document.body.appendChild(input);
    input.addEventListener("change", function () {
      const file = input.files && input.files[0];
      input.remove();
      if (!file) { return; }
      setTyping(true);
      const headers = { "Content-Type": "application/octet-stream", "X-Conversation-Id": state.sessionId || "",
                        "X-Document-Name": encodeURIComponent(file.name) };
      if (key) { headers["X-Requested-Document"] = key; }
      fetch(ORIGIN + "/api/widget/documents", {
        method: "POST", mode: "cors", credentials: "omit", body: file, headers: headers
      }).then(function (r) { return r.json(); }).then(function (data) {
        setTyping(false);
        add({ who: "bot", id: "document-" + Date.now(), text: String(data.message || T.unavailable), choices: [] });
      }).catch(function () {
        setTyping(false);
        add({ who: "bot", id: "document-" + Date.now(), text: T.unavailable, choices: [] });
      });
    });
    input.click();
  }

  // ---- talking to the server ------------------------------------------------------------
  function onBot(m) {
    const meta = m.metadata || {};
    const custom = m.custom || {};
    const officer = meta.author === "officer";
    if (officer || meta.utter_action === "utter_handoff_officer_joined") { state.handoff = "joined"; }
    else if (custom.handoff && custom.handoff.status === "queued" && state.handoff !== "joined") { state.handoff = "queued"; }
    else if (custom.handoff && custom.handoff.status !== "queued") { state.handoff = "none"; }
    if (!m.text && !(m.quick_replies || []).length) { showHandoff(); save(); return; }
    add({
      who: officer ? "officer" : "bot", id: m.id, text: m.text || "",
      label: officer ? (meta.officer ? fill(T.officer_label, { officer: meta.officer }) : T.officer_unknown) : null,
      choices: (m.quick_replies || []).map(function (q) { return { title: String(q.title), payload: String(q.payload) }; }),
      contractSource: custom.source && /^https?:\/\//.test(custom.source) ? custom.source : null,
      topic: custom.topic || null, municipality: custom.municipality || null
    });
    showHandoff();
    if (officer) { endTurn(); }
  }

  // A topic answer carries its topic and official source and cites the source in its text;
  // questions (which municipality?), counter cards and queue notices do not.
  function isAnswer(item) {
    return Boolean(item.topic && item.contractSource) &&
      (String(item.text).indexOf(item.contractSource) >= 0 || Boolean(splitSource(item.text).source));
  }

  function endTurn(failed) {
    if (!turn) { return; }
    clearTimeout(turn.timer);
    const bots = turn.items.filter(function (i) { return i.who === "bot"; });
    turn = null;
    setTyping(false);
    if (failed) { setConn("offline"); return; }
    // Feedback goes on the turn's answer only (never on a question or a queue notice).
    const target = bots.filter(isAnswer)[0];
    if (!target) { return; }
    target.rate = true;
    save();
    const node = ui.log.querySelector(".msg[data-id='" + CSS.escape(target.id) + "']");
    if (node) { node.appendChild(renderFeedback(target)); }
  }

  // Returns false when the assistant is not reachable: nothing is sent, the owner sees the
  // one offline message and keeps what they typed. While the first connection is being made,
  // the message waits for it (and "typing" only shows once it is sent).
  function send(text, shown) {
    if (!online && failed) { setConn("offline"); ui.input.focus(); return false; }
    if (turn) { endTurn(); }
    add({ who: "user", id: "u-" + Date.now(), text: shown || text });
    turn = { items: [], timer: setTimeout(function () { endTurn(true); }, TURN_TIMEOUT) };
    setTyping(true);
    sock.emit("user_uttered", { message: text, session_id: state.sessionId, metadata: PAGE });
    ui.input.focus();
    return true;
  }

  // After a reload: the transcript as the server's tracker holds it (messages that arrived
  // while the page was away included). What the browser kept stays when the server has none.
  function restore(id) {
    fetch(ORIGIN + "/api/widget/history", {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: id })
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (data) {
      const messages = (data && data.messages) || [];
      if (!messages.length || state.sessionId !== id || turn) { return; }
      const before = {};
      state.items.forEach(function (item) { before[item.id] = item; });
      const greeting = state.items.filter(function (i) { return i.id === "greeting"; });
      state.items = greeting.concat(messages.map(function (m) {
        const officer = m.who === "officer";
        const item = {
          who: m.who, id: String(m.id), text: String(m.text || ""),
          label: officer ? (m.officer ? fill(T.officer_label, { officer: m.officer }) : T.officer_unknown) : null,
          choices: (m.choices || []).map(function (c) { return { title: String(c.title), payload: String(c.payload) }; }),
          contractSource: m.source || null, topic: m.topic || null, municipality: m.municipality || null,
          rate: Boolean(m.answer)
        };
        if (before[item.id] && before[item.id].feedback) { item.feedback = before[item.id].feedback; }
        return item;
      }));
      save();
      rerender();
    }).catch(function () { /* keep what the browser kept */ });
  }

  function vote(item, value, box, note) {
    fetch(ORIGIN + "/api/feedback", {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: state.sessionId, message_id: item.id, vote: value,
                             topic: item.topic, municipality: item.municipality || PAGE.municipality || null,
                             tenant: PAGE.tenant || null })
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      item.feedback = value;
      save();
      box.querySelectorAll(".msg__vote").forEach(function (b) {
        b.setAttribute("aria-pressed", b.classList.contains("msg__vote--" + value) ? "true" : "false");
      });
      note.textContent = T.feedback_thanks;
    }).catch(function () { note.textContent = T.feedback_failed; });
  }

  // Engine.IO v4 + Socket.IO v5 over a WebSocket: open, connect, ping/pong, events, reconnect.
  function Connection(handlers) {
    const url = ORIGIN.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";
    let ws = null; let ready = false; let queue = []; let retry = 0; let watchdog = null;
    function arm(ms) { clearTimeout(watchdog); watchdog = setTimeout(function () { if (ws) { ws.close(); } }, ms); }
    function open() {
      ws = new WebSocket(url);
      ws.onmessage = function (event) {
        const data = String(event.data);
        if (data[0] === "0") {
          const info = JSON.parse(data.slice(1));
          arm(info.pingInterval + info.pingTimeout);
          ws.send("40");
        } else if (data[0] === "2") {
          ws.send("3");
          arm(60000);
        } else if (data.slice(0, 2) === "40") {
          retry = 0;
          handlers.connected();
        } else if (data.slice(0, 2) === "42") {
          const packet = JSON.parse(data.slice(data.indexOf("[")));
          handlers.event(packet[0], packet[1]);
        } else if (data === "41" || data[0] === "1") {
          ws.close();
        }
      };
      ws.onclose = function () {
        ready = false; ws = null; clearTimeout(watchdog);
        handlers.closed();
        setTimeout(open, Math.min(15000, 1000 * Math.pow(2, retry++)));
      };
    }
    this.start = open;
    this.raw = function (name, data) {
      if (ws && ws.readyState === 1) { ws.send("42" + JSON.stringify([name, data])); }
    };
    this.ready = function () {
      ready = true;
      const pending = queue; queue = [];
      pending.forEach(function (p) { this.raw(p[0], p[1]); }, this);
    };
    this.renew = function (data) {  // a new conversation: hold messages until it is confirmed
      ready = false;
      this.raw("session_request", data);
    };
    this.emit = function (name, data) {
      if (ready) { this.raw(name, data); } else { queue.push([name, data]); }
    };
  }

  function connect() {
    sock = new Connection({
      connected: function () {
        sock.raw("session_request", { session_id: state.sessionId, metadata: PAGE });
      },
      closed: function () {
        online = false;
        failed = true;
        if (turn) { endTurn(true); } else { setConn("offline"); }
      },
      event: function (name, data) {
        if (name === "session_confirm") {
          // The server issues (signs) conversation ids: keep the one it gives. When it did not
          // take the stored one back (e.g. after a restart), this is a new conversation.
          const kept = state.sessionId && state.sessionId === String(data);
          if (state.sessionId && !kept && !turn) {
            state.items = []; state.handoff = "none"; rerender();
          }
          state.sessionId = String(data); save();
          if (kept && !turn) { restore(state.sessionId); }
          online = true;
          failed = false;
          setConn("");
          if (turn) { setTyping(true); }  // a message sent while connecting goes out now
          sock.ready();
        } else if (name === "bot_uttered" && data) { onBot(data); }
        else if (name === "turn_complete") { endTurn(); }
      }
    });
    sock.start();
  }

  // ---- building the widget --------------------------------------------------------------
  function setOpen(open, focus) {
    state.open = open; save();
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.launcher.hidden = open;
    if (focus) { (open ? ui.input : ui.launcher).focus(); }
  }

  function reset() {
    if (turn) { clearTimeout(turn.timer); turn = null; }
    state = { sessionId: null, items: [], open: true, handoff: "none" };
    save();
    setTyping(false);
    rerender();
    sock.renew({ session_id: null, metadata: PAGE });
    ui.input.focus();
  }

  function build() {
    const host = el("aside");  // a landmark of its own on the municipality's page
    host.id = "olk-widget";
    host.setAttribute("aria-label", T.title);
    applyColours(host);
    const root = host.attachShadow({ mode: "open" });
    const css = el("link");
    css.rel = "stylesheet"; css.href = ORIGIN + "/static/widget.css";
    root.appendChild(css);
    ui = {};
    ui.launcher = button("launcher", T.launcher, function () { setOpen(true, true); });
    ui.launcher.setAttribute("aria-controls", "olk-panel");
    ui.panel = el("section", "panel");
    ui.panel.id = "olk-panel";
    ui.panel.setAttribute("role", "dialog");
    ui.panel.setAttribute("aria-labelledby", "olk-title");
    const head = el("div", "panel__head");  // not <header>: the page has its own banner
    const titles = el("div", "panel__titles");
    const h = el("h2", "panel__title", T.title); h.id = "olk-title";
    titles.appendChild(h);
    titles.appendChild(el("p", "panel__subtitle", T.subtitle));
    head.appendChild(titles);
    head.appendChild(button("panel__reset", T.reset, reset));
    const close = button("panel__close", undefined, function () { setOpen(false, true); });
    const cross = el("span", "", "\u00D7"); cross.setAttribute("aria-hidden", "true");
    close.appendChild(cross);
    close.appendChild(el("span", "vh", T.close));
    head.appendChild(close);
    ui.panel.appendChild(head);
    const privacy = el("p", "panel__privacy", T.privacy_notice);
    if (T.privacy_link) {  // the full privacy text, on our own origin (not the host page's)
      privacy.appendChild(document.createTextNode(" "));
      privacy.appendChild(link(ORIGIN + "/privacy", T.privacy_link));
    }
    ui.panel.appendChild(privacy);
    ui.status = el("p", "panel__handoff"); ui.status.setAttribute("role", "status");
    ui.conn = el("p", "panel__conn"); ui.conn.setAttribute("role", "status");
    ui.log = el("div", "log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-label", T.log_label);
    ui.log.tabIndex = 0;
    ui.typing = el("p", "typing"); ui.typing.setAttribute("role", "status");
    ui.typing.setAttribute("aria-live", "polite");
    const form = el("form", "form");
    const label = el("label", "vh", T.input_label); label.htmlFor = "olk-input";
    ui.input = el("input"); ui.input.id = "olk-input"; ui.input.type = "text";
    ui.input.maxLength = 1000; ui.input.autocomplete = "off"; ui.input.placeholder = T.input_placeholder;
    const submit = el("button", "form__send", T.send); submit.type = "submit";
    [label, ui.input, submit].forEach(function (n) { form.appendChild(n); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const text = ui.input.value.trim();
      if (!text) { return; }
      if (send(text)) { ui.input.value = ""; }
    });
    [ui.status, ui.conn, ui.log, ui.typing, form].forEach(function (n) { ui.panel.appendChild(n); });
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { setOpen(false, true); }
    });
    rerender();  // before the log is in the document: restored messages are not announced
    root.appendChild(ui.launcher);
    root.appendChild(ui.panel);
    setOpen(Boolean(state.open) || cfg.open === "true", false);
    document.body.appendChild(host);
    // "Connecting" only when it takes a while; a refused connection shows the offline line.
    setTimeout(function () { if (!online && !ui.conn.textContent) { setConn("connecting"); } }, 1500);
    connect();
  }

  fetch(ORIGIN + "/api/widget/texts", { mode: "cors", credentials: "omit" })
    .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
    .then(function (texts) {
      T = texts;
      if (document.body) { build(); } else { document.addEventListener("DOMContentLoaded", build); }
    })
    .catch(function () { /* no texts, no widget: the page stays as it was */ });
})();
