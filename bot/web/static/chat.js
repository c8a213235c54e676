// Chat page: sends the owner's messages to /api/chat and renders the replies safely
// (text nodes only; links only for http(s) URLs). Dutch texts come from data attributes of
// #chat (content/web.yml). After a reload the transcript comes back from the server
// (/api/chat/history, the owner's own conversation by the session cookie). During a hand-off
// it polls /api/chat/updates for the officer's messages.
(function () {
  "use strict";
  const root = document.getElementById("chat");
  const T = root.dataset;
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("message");
  const typing = document.getElementById("typing");
  const offline = document.getElementById("offline");
  const starters = document.getElementById("starters");
  const URL_RE = /(https?:\/\/[^\s)<>"]+[^\s)<>".,;:!?])/g;
  const LIVE = ["queued", "taken"];
  const REQUEST_TIMEOUT = 15000;
  let lastUpdate = 0;
  let pollTimer = null;
  let polling = false;
  let answers = 0;  // answers in this conversation: their feedback ids stay the same after a reload
  let generation = 0;  // bumped by "Nieuw gesprek": late replies of the old conversation are dropped

  function appendText(parent, text) {
    String(text).split(URL_RE).forEach(function (part) {
      if (/^https?:\/\//.test(part)) {
        const a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener noreferrer";
        parent.appendChild(a);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, k) { return values[k] || ""; });
  }

  function officerLabel(name) {
    return name ? fill(T.officerLabel, { officer: name }) : T.officerUnknown;
  }

  // sender: "owner" | "bot" | "officer"
  function addBubble(sender, text, officer, parent) {
    const item = document.createElement("div");
    item.className = "msg " + (sender === "owner" ? "msg--user" :
      sender === "officer" ? "msg--officer" : "msg--bot");
    const label = document.createElement("span");
    if (sender === "officer") {
      label.className = "msg__author";
      label.textContent = officerLabel(officer);
    } else {
      label.className = "visually-hidden";
      label.textContent = (sender === "owner" ? T.youLabel : T.botLabel) + ": ";
    }
    item.appendChild(label);
    // The "Bron: …" paragraph of an answer is shown as its own, quieter line.
    const parts = String(text || "").split("\n\n");
    const at = sender === "owner" ? -1 : parts.findIndex(function (p) {
      return p.indexOf(T.sourceLabel + ":") === 0;
    });
    const source = at > 0 ? parts.splice(at, 1)[0] : null;
    const body = document.createElement("p");
    appendText(body, parts.join("\n\n"));
    item.appendChild(body);
    if (source) {
      const line = document.createElement("p");
      line.className = "msg__source";
      appendText(line, source);
      item.appendChild(line);
    }
    (parent || log).appendChild(item);
    return item;
  }

  function addButtons(item, buttons) {
    const bar = document.createElement("div");
    bar.className = "msg__buttons";
    buttons.forEach(function (button) {
      const payload = String(button.payload || "");
      let el;
      if (/^https?:\/\//.test(payload)) {
        el = document.createElement("a");
        el.href = payload; el.target = "_blank"; el.rel = "noopener noreferrer";
      } else if (window.olkDocuments && window.olkDocuments.keyOf(payload) !== null) {
        const key = window.olkDocuments.keyOf(payload);
        el = document.createElement("button");
        el.type = "button";
        el.dataset.upload = "document";
        if (key) { el.dataset.requested = key; }
        el.addEventListener("click", function () {
          window.olkDocuments.pick("/api/chat/documents", function (text, pending) {
            if (pending) { setTyping(true); return; }
            setTyping(false);
            reveal(addBubble("bot", text || T.unavailable));
          }, key);
        });
      } else {
        el = document.createElement("button");
        el.type = "button";
        el.addEventListener("click", function () { send(payload, button.title); });
      }
      el.className = "msg__button";
      el.textContent = button.title;
      bar.appendChild(el);
    });
    item.appendChild(bar);
  }

  // ---- feedback on answers ------------------------------------------------------------------
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

  // id: "answer-<n>", the n-th answer of the conversation (the server numbers them the same
  // way when it restores the transcript and checks a vote).
  function addFeedback(item, topic, municipality, restoredId) {
    const number = restoredId ? parseInt(restoredId.slice(7), 10) : answers + 1;
    answers = Math.max(answers, number);
    const id = "answer-" + String(number).padStart(4, "0");
    item.dataset.answer = id;
    if (topic) { item.dataset.topic = topic; }
    const box = document.createElement("div");
    box.className = "msg__feedback";
    const question = document.createElement("span");
    question.textContent = T.feedbackQuestion;
    box.appendChild(question);
    const note = document.createElement("span");
    note.className = "msg__feedback-note";
    note.setAttribute("role", "status");
    [["up", false, T.feedbackUp], ["down", true, T.feedbackDown]].forEach(function (v) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "msg__vote msg__vote--" + v[0];
      b.setAttribute("aria-label", v[2]);
      b.setAttribute("aria-pressed", "false");
      b.appendChild(thumb(v[1]));
      b.addEventListener("click", function () { vote(id, v[0], municipality, box, note); });
      box.appendChild(b);
    });
    box.appendChild(note);
    item.appendChild(box);
  }

  async function vote(id, value, municipality, box, note) {
    try {
      const response = await fetch("/api/chat/feedback", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message_id: id, vote: value, municipality: municipality || null })
      });
      if (response.status === 409) { note.textContent = T.feedbackAlready; return; }
      if (!response.ok) { throw new Error(String(response.status)); }
      box.querySelectorAll(".msg__vote").forEach(function (b) {
        b.setAttribute("aria-pressed", b.classList.contains("msg__vote--" + value) ? "true" : "false");
      });
      note.textContent = T.feedbackThanks;
    } catch (e) {
      note.textContent = T.feedbackFailed;
    }
  }

  // A topic answer carries its topic and official source and cites the source in its text;
  // questions (which municipality?), counter cards and queue notices do not.
  function isAnswer(m) {
    const c = m.custom || {};
    const text = String(m.text || "");
    return Boolean(c.topic && c.source) &&
      (text.indexOf(String(c.source)) >= 0 || text.indexOf("\n" + T.sourceLabel) >= 0);
  }

  // ---- scrolling and states -----------------------------------------------------------------
  // Keep the newest message in view; a reply taller than the log is shown from its start.
  function reveal(first) {
    if (first && log.scrollHeight - first.offsetTop > log.clientHeight) {
      log.scrollTop = Math.max(0, first.offsetTop - 8);
    } else {
      log.scrollTop = log.scrollHeight;
    }
  }

  function setTyping(on) {
    typing.textContent = on ? T.typing : "";
  }

  function setOffline(on) {
    const text = on ? T.unavailable : "";
    if (offline.textContent !== text) { offline.textContent = text; }
    root.classList.toggle("chat--offline", on);
  }

  function hideStarters() { starters.hidden = true; }

  async function getJson(url, options, acceptTooMany) {
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT);
    try {
      const response = await fetch(url, Object.assign({ credentials: "same-origin",
                                                        signal: controller.signal }, options || {}));
      // 429 on a message: too many; its body carries the Dutch answer to show
      if (!response.ok && !(acceptTooMany && response.status === 429)) {
        throw new Error(String(response.status));
      }
      return await response.json();
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- hand-off -----------------------------------------------------------------------------
  function isLive(handoff) {
    return Boolean(handoff) && LIVE.indexOf(handoff.status) >= 0;
  }

  async function poll(show) {
    pollTimer = null;
    polling = true;
    const mine = generation;
    try {
      const data = await getJson("/api/chat/updates?after=" + lastUpdate);
      if (mine !== generation) { return; }
      if (show) {
        let first = null;
        (data.messages || []).forEach(function (m) {
          const item = m.author === "officer" ? addBubble("officer", m.text, m.officer)
                                              : addBubble("bot", m.text);
          first = first || item;
        });
        if (first) { reveal(first); }
      }
      lastUpdate = data.last_id || lastUpdate;
      if (isLive(data.handoff)) { pollTimer = setTimeout(function () { poll(true); }, 2000); }
    } catch (e) {
      if (mine === generation) { pollTimer = setTimeout(function () { poll(true); }, 5000); }
    } finally {
      polling = false;
    }
  }

  function followHandoff(messages) {
    const live = messages.some(function (m) { return m.custom && isLive(m.custom.handoff); });
    if (live && pollTimer === null && !polling) { pollTimer = setTimeout(function () { poll(true); }, 1000); }
  }

  // ---- talking to the assistant ---------------------------------------------------------------
  async function send(text, shown) {
    hideStarters();
    reveal(addBubble("owner", shown || text));
    setTyping(true);
    const mine = generation;
    try {
      const data = await getJson("/api/chat", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: text })
      }, true);
      if (mine !== generation) { return; }
      setTyping(false);
      if (data.unavailable || !data.messages) { setOffline(true); return; }
      setOffline(false);
      let first = null;
      let answered = false;
      data.messages.forEach(function (m) {
        const item = addBubble("bot", m.text || "");
        first = first || item;
        if (m.buttons && m.buttons.length) { addButtons(item, m.buttons); }
        if (!answered && isAnswer(m)) {
          answered = true;
          addFeedback(item, m.custom.topic, m.custom.municipality);
        }
      });
      reveal(first);
      followHandoff(data.messages);
    } catch (e) {
      if (mine === generation) { setTyping(false); setOffline(true); }
    } finally {
      input.focus();
    }
  }

  async function restore() {
    if (T.hasSession !== "true") { return; }
    const mine = generation;
    log.setAttribute("aria-busy", "true");  // restored messages are not read out again
    try {
      const data = await getJson("/api/chat/history");
      if (mine !== generation) { return; }
      if (data.unavailable) { setOffline(true); }
      // Before anything typed meanwhile: the restored conversation comes first.
      const restored = document.createDocumentFragment();
      (data.messages || []).forEach(function (m) {
        const item = addBubble(m.sender, m.text, m.officer, restored);
        if (m.buttons && m.buttons.length) { addButtons(item, m.buttons); }
        if (m.answer && m.id) { addFeedback(item, m.topic, null, m.id); }
      });
      log.insertBefore(restored, document.getElementById("welcome").nextSibling);
      if ((data.messages || []).length) { hideStarters(); }
      reveal(null);
    } catch (e) {
      if (mine === generation) { setOffline(true); }
    } finally {
      log.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });

  starters.querySelectorAll("button[data-payload]").forEach(function (button) {
    if (!button.dataset.payload || !button.textContent.trim()) { button.remove(); return; }
    button.addEventListener("click", function () {
      send(button.dataset.payload, button.textContent.trim());
    });
  });

  document.getElementById("reset").addEventListener("click", async function () {
    generation += 1;
    if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
    try {
      await fetch("/api/chat/reset", { method: "POST", credentials: "same-origin" });
    } catch (e) { /* a new conversation starts anyway with the next message */ }
    lastUpdate = 0;
    answers = 0;
    log.querySelectorAll(".msg:not(#welcome)").forEach(function (node) { node.remove(); });
    starters.hidden = false;
    setTyping(false);
    setOffline(false);
    input.focus();
  });

  // A hand-off still running after a reload continues here; what was said is restored from
  // the tracker, so the first poll only learns where the owner's updates stand.
  poll(false);
  restore();
})();
