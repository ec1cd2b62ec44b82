// Draws the results chart from the JSON embedded in the page (no inline script, no CDN).
(function () {
  "use strict";
  var holder = document.getElementById("chart");
  var data = document.getElementById("chart-data");
  if (!holder || !data || typeof Plotly === "undefined") { return; }
  var chart = JSON.parse(data.textContent);
  var words = chart.labels || { round: "round", salience: "salience" };
  var rtl = document.documentElement.dir === "rtl";
  var n = chart.issues.length;
  var traces = [];
  var layout = {
    grid: { rows: n, columns: 1, pattern: "independent" },
    height: Math.max(320, 260 * n), margin: { l: 60, r: 20, t: 30, b: 40 },
    showlegend: true, legend: { orientation: "h", x: rtl ? 1 : 0, xanchor: rtl ? "right" : "left" }, font: { size: 13 }, shapes: [], annotations: []
  };
  var palette = ["#0b4f9c", "#c0392b", "#1b6b2f", "#8a4b00", "#5b2a86", "#00707a", "#7a5c00",
                 "#a4161a", "#2d3a8c", "#555f6b"];
  chart.issues.forEach(function (issue, q) {
    var ax = q === 0 ? "" : String(q + 1);
    issue.actors.forEach(function (actor, i) {
      var color = palette[i % palette.length];
      if (chart.dynamic) {
        traces.push({ x: actor.path.map(function (_, t) { return t; }), y: actor.path, mode: "lines+markers",
          name: actor.name, legendgroup: actor.name, showlegend: q === 0, line: { color: color },
          xaxis: "x" + ax, yaxis: "y" + ax });
      } else {
        traces.push({ x: [actor.path[0]], y: [actor.name], mode: "markers", name: actor.name,
          legendgroup: actor.name, showlegend: false,
          marker: { size: 8 + 22 * actor.salience, color: color },
          xaxis: "x" + ax, yaxis: "y" + ax,
          hovertemplate: actor.name + ": %{x} (" + words.salience + " " + actor.salience + ")<extra></extra>" });
      }
    });
    if (issue.outcome !== null) {
      var line = { type: "line", line: { dash: "dash", color: "#1b1f24", width: 2 } };
      if (chart.dynamic) {
        line.xref = "x" + ax + " domain"; line.yref = "y" + ax;
        line.x0 = 0; line.x1 = 1; line.y0 = issue.outcome; line.y1 = issue.outcome;
      } else {
        line.xref = "x" + ax; line.yref = "y" + ax + " domain";
        line.x0 = issue.outcome; line.x1 = issue.outcome; line.y0 = 0; line.y1 = 1;
      }
      layout.shapes.push(line);
    }
    var title = issue.name + " (" + issue.lo + "–" + issue.hi + ")";
    var range = [issue.lo, issue.hi];
    layout["xaxis" + ax] = chart.dynamic ? { title: { text: words.round } } : { range: range, title: { text: title } };
    layout["yaxis" + ax] = chart.dynamic ? { range: range, title: { text: issue.name } } : { automargin: true };
  });
  Plotly.newPlot(holder, traces, layout, { responsive: true, displaylogo: false });
})();

// The alignment figures arrive as an HTMX fragment, each a Plotly figure as JSON: the voting
// network (#alignment-chart / #alignment-data) and the map of strategic autonomy
// (#alignment-map / #alignment-map-data).
(function () {
  "use strict";
  function drawOne(holderId, dataId) {
    var holder = document.getElementById(holderId);
    var data = document.getElementById(dataId);
    if (!holder || !data || typeof Plotly === "undefined" || holder.dataset.drawn) { return; }
    var figure = JSON.parse(data.textContent);
    holder.dataset.drawn = "1";
    Plotly.newPlot(holder, figure.data, figure.layout, { responsive: true, displaylogo: false });
  }
  function draw() {
    drawOne("alignment-map", "alignment-map-data");
    drawOne("alignment-chart", "alignment-data");
  }
  document.addEventListener("htmx:afterSettle", draw);
  draw();
})();
