// Charts of the officer's insights page, drawn with Chart.js (served by our app, no CDN).
// The figures come from the page itself (a JSON script element); without Chart.js the
// table below the charts still shows everything.
(function () {
  "use strict";
  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }
  function shorten(text) { return text.length > 32 ? text.slice(0, 31) + "…" : text; }
  function draw() {
    var data = read("insights-data");
    var labels = read("insights-labels") || {};
    if (!data || typeof window.Chart === "undefined") { return; }
    var weeks = Array.from(new Set(data.weekly.map(function (p) { return p.week; }))).sort();
    var names = {};
    data.summary.municipalities.forEach(function (m) { names[m.nis] = m.name; });
    var perNis = {};
    data.weekly.forEach(function (p) {
      perNis[p.nis] = perNis[p.nis] || {};
      perNis[p.nis][p.week] = p.conversations;
    });
    new window.Chart(document.getElementById("chart-weekly"), {
      type: "line",
      data: {
        labels: weeks,
        datasets: Object.keys(perNis).map(function (nis) {
          return { label: names[nis] || nis, spanGaps: false,
                   data: weeks.map(function (w) { return perNis[nis][w] === undefined ? 0 : perNis[nis][w]; }) };
        })
      },
      options: { animation: false, responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    var topics = {};
    data.summary.municipalities.forEach(function (m) {
      Object.keys(m.topics).forEach(function (t) { topics[t] = true; });
    });
    var topicIds = Object.keys(topics).sort();
    new window.Chart(document.getElementById("chart-topics"), {
      type: "bar",
      data: {
        labels: topicIds.map(function (t) { return shorten((data.topic_titles || {})[t] || t); }),
        datasets: data.summary.municipalities.map(function (m) {
          return { label: m.name, data: topicIds.map(function (t) { return m.topics[t] === undefined ? 0 : m.topics[t]; }) };
        })
      },
      options: { animation: false, responsive: true, indexAxis: "y",
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
                 plugins: { legend: { display: data.summary.municipalities.length > 1 } } }
    });
    function title(id) { return shorten((data.topic_titles || {})[id] || id || labels.no_topic || "–"); }
    function bars(id, rows, labelOf, keys, options) {
      var element = document.getElementById(id);
      if (!element || !rows) { return; }
      new window.Chart(element, {
        type: "bar",
        data: {
          labels: rows.map(labelOf),
          datasets: keys.map(function (key) {
            return { label: labels[key] || key, data: rows.map(function (r) { return r[key]; }) };
          })
        },
        options: Object.assign({ animation: false, responsive: true }, options || {})
      });
    }
    var stacked = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };
    bars("chart-hours", data.hours, function (h) { return (h.hour < 10 ? "0" : "") + h.hour + ":00"; },
         ["open", "closed", "unknown"], { scales: stacked });
    bars("chart-dossiers", data.dossiers, function (d) { return title(d.type); },
         ["started", "submitted", "abandoned"],
         { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
    bars("chart-feedback", data.feedback_topics, function (f) { return title(f.topic); },
         ["up", "down"], { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } });
    document.body.setAttribute("data-charts", "drawn");
    if (!data.summary.municipalities.length && labels.none) {
      document.body.setAttribute("data-empty", "true");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
