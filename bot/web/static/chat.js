// Chat page: sends the owner's messages to /api/chat and renders the replies safely
// (text nodes only; links only for http(s) URLs). Dutch texts come from data attributes.
// During a hand-off it polls /api/chat/updates for the officer's messages.
(function () {
  "use strict";
  const root = document.getElementById("chat");
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("message");
  const typing = document.getElementById("typing");
  const URL_RE = /(https?:\/\/[^\s)]+)/g;
  const LIVE = ["queued", "taken"];
  let lastUpdate = 0;
  let pollTimer = null;
  let polling = false;

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

  function addBubble(who, text, author) {
    const item = document.createElement("div");
    item.className = "msg msg--" + who + (author ? " msg--officer" : "");
    const label = document.createElement("span");
    label.className = author ? "msg__author" : "visually-hidden";
    label.textContent = author || (who === "user" ? root.dataset.youLabel : root.dataset.botLabel);
    label.textContent += author ? "" : ": ";
    item.appendChild(label);
    const body = document.createElement("p");
    appendText(body, text || "");
    item.appendChild(body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
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

  function isLive(handoff) {
    return Boolean(handoff) && LIVE.indexOf(handoff.status) >= 0;
  }

  async function poll(show) {
    pollTimer = null;
    polling = true;
    try {
      const response = await fetch("/api/chat/updates?after=" + lastUpdate,
                                   { credentials: "same-origin" });
      const data = await response.json();
      if (show || isLive(data.handoff)) {
        (data.messages || []).forEach(function (m) {
          addBubble("bot", m.text || "", m.author === "officer" ? m.label : null);
        });
      }
      lastUpdate = data.last_id || lastUpdate;
      if (isLive(data.handoff)) { pollTimer = setTimeout(function () { poll(true); }, 2000); }
    } catch (e) {
      pollTimer = setTimeout(function () { poll(true); }, 5000);
    } finally {
      polling = false;
    }
  }

  function followHandoff(messages) {
    const live = messages.some(function (m) { return m.custom && isLive(m.custom.handoff); });
    if (live && pollTimer === null && !polling) { pollTimer = setTimeout(function () { poll(true); }, 1000); }
  }

  async function send(text, shown) {
    addBubble("user", shown || text);
    typing.hidden = false;
    try {
      const response = await fetch("/api/chat", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: text })
      });
      const data = await response.json();
      if (data.unavailable || !data.messages) {
        addBubble("bot", root.dataset.unavailable);
      }
      (data.messages || []).forEach(function (m) {
        const item = addBubble("bot", m.text || "");
        if (m.buttons && m.buttons.length) { addButtons(item, m.buttons); }
        if (m.custom) { item.dataset.topic = m.custom.topic || ""; }
      });
      followHandoff(data.messages || []);
    } catch (e) {
      addBubble("bot", root.dataset.unavailable);
    } finally {
      typing.hidden = true;
      input.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });

  document.getElementById("reset").addEventListener("click", async function () {
    await fetch("/api/chat/reset", { method: "POST", credentials: "same-origin" });
    if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
    lastUpdate = 0;
    log.textContent = "";
    input.focus();
  });

  poll(false);  // a hand-off still running after a reload continues here
})();
