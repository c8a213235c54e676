// Officer console: live updates over server-sent events. The server renders (and escapes)
// every fragment; this script only swaps fragments in when something changed.
(function () {
  "use strict";
  const page = document.body.dataset.page;
  const requestId = document.body.dataset.requestId;
  if (page !== "queue" && page !== "request") { return; }

  async function refresh(id) {
    const box = document.getElementById(id);
    if (!box) { return; }
    try {
      const response = await fetch(box.dataset.fragment, { credentials: "same-origin" });
      if (response.status === 401) { window.location.assign("/officer/login"); return; }
      if (response.ok) { box.innerHTML = await response.text(); }
      if (id === "transcript") { box.scrollTop = box.scrollHeight; }
    } catch (e) {
      // offline for a moment: the next event or the timer tries again
    }
  }

  const target = page === "queue" ? "queue" : "transcript";
  let submitting = false;  // our own form post is under way: its redirect wins over a reload
  document.addEventListener("submit", function () { submitting = true; });
  const events = new EventSource("/officer/events");
  events.addEventListener("queue", function () {
    if (page === "queue") { refresh("queue"); }
  });
  events.addEventListener("transcript", function (event) {
    const data = JSON.parse(event.data || "{}");
    if (page === "request" && String(data.request_id) === requestId) { refresh("transcript"); }
  });
  events.addEventListener("request", function (event) {
    const data = JSON.parse(event.data || "{}");
    const reply = document.getElementById("reply");
    if (page === "request" && String(data.request_id) === requestId && !submitting &&
        !(reply && reply.value)) {
      window.location.reload();  // status changed elsewhere: show the right buttons
    }
  });
  events.addEventListener("logout", function () { window.location.assign("/officer/login"); });

  // Waiting times and a missed event: refresh every 30 s anyway.
  setInterval(function () { refresh(target); }, 30000);
  const box = document.getElementById("transcript");
  if (box) { box.scrollTop = box.scrollHeight; }
})();
