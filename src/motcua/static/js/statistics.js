/*
 * Charts of the statistics pages (portal/statistics.py, backoffice/dashboard.py) with the vendored Chart.js 4.
 *
 * Strict CSP: no inline script. Each <canvas data-chart="ID"> names a <script type="application/json" id="ID">
 * written by Django's json_script: {type: "bar"|"line", unit: "percent"|"count", labels: [...],
 * datasets: [{label, color: "primary"|"secondary"|"accent"|"muted", data: [...]}]}.
 * The tables beside the charts carry the same numbers and are the accessible source of truth.
 */
(function () {
  "use strict";

  var COLORS = {
    primary: "#a3161c",
    secondary: "#0b4f8c",
    accent: "#c98a00",
    muted: "#71767a",
  };

  function percentTick(value) {
    return value + " %";
  }

  function build(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var percent = spec.unit === "percent";
    var line = spec.type === "line";
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var datasets = spec.datasets.map(function (d) {
      var color = COLORS[d.color] || COLORS.muted;
      return {
        label: d.label,
        data: d.data,
        borderColor: color,
        backgroundColor: line ? color : color + "cc",
        borderWidth: line ? 2 : 1,
        pointRadius: line ? 3 : 0,
        spanGaps: false,
        tension: 0.2,
      };
    });
    var yAxis = { beginAtZero: true, ticks: { precision: 0 } };
    if (percent) {
      yAxis.suggestedMax = 100;
      yAxis.max = 100;
      yAxis.ticks = { callback: percentTick };
    }
    // eslint-disable-next-line no-undef
    new Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        interaction: { mode: "index", intersect: false },
        scales: { y: yAxis },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.parsed.y;
                if (v === null || v === undefined) {
                  return ctx.dataset.label + ": —";
                }
                return ctx.dataset.label + ": " + v.toLocaleString(document.documentElement.lang || "vi");
              },
            },
          },
        },
      },
    });
  }

  function init() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      build(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
