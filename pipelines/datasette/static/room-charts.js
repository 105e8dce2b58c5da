/* newsarchive reading room: draws each <figure class="room-chart"> from the JSON inside it with
   uPlot (vendored in vendor/, no network). Data: {"x": ["2026-01-01", ...], "series": [{"label",
   "values"}]}; the first series is drawn bold, the others thin (their values show on hover). */
(function () {
  "use strict";
  var COLORS = ["#1f5f8b", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#c46d5e",
                "#30638e", "#a3a380", "#e07a5f", "#3d405b", "#81b29a"];
  var OUTCOME_COLORS = {ok: "#2e7d32", failed: "#c62828", timeout: "#ef6c00", interrupted: "#6d4c41"};

  function epoch(day) { return Date.parse(day + "T00:00:00Z") / 1000; }

  function draw(figure) {
    var data = JSON.parse(figure.querySelector("script.chart-data").textContent);
    if (!data.x || !data.x.length) { return null; }
    var bars = figure.getAttribute("data-kind") === "bars";
    var series = [{}];
    var columns = [data.x.map(epoch)];
    data.series.forEach(function (s, i) {
      var color = (bars && OUTCOME_COLORS[s.label]) || COLORS[i % COLORS.length];
      series.push({
        label: s.label, stroke: color, width: i === 0 && !bars ? 2 : 1,
        fill: bars ? color + "55" : undefined,
        points: {show: data.x.length < 60},
        paths: bars ? uPlot.paths.bars({size: [0.8, 12]}) : undefined,
        show: bars || i === 0 || data.series.length <= 4
      });
      columns.push(s.values);
    });
    var width = Math.max(260, Math.min(figure.clientWidth || 600, 900));
    var opts = {
      width: width, height: 220, series: series,
      scales: {x: {time: true}},
      axes: [{}, {size: 50}],
      legend: {live: true}
    };
    var chart = new uPlot(opts, columns, figure);
    figure.setAttribute("data-points", String(data.x.length));
    return chart;
  }

  function drawAll() {
    window.roomCharts = [];
    document.querySelectorAll("figure.room-chart").forEach(function (figure) {
      var chart = draw(figure);
      if (chart) { window.roomCharts.push(chart); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
