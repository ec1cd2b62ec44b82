// Draw every element with data-figure="ID" from the Plotly JSON in the script element ID.
document.querySelectorAll("[data-figure]").forEach(function (holder) {
  var source = document.getElementById(holder.getAttribute("data-figure"));
  if (!source || typeof Plotly === "undefined") return;
  var figure = JSON.parse(source.textContent);
  Plotly.newPlot(holder, figure.data, figure.layout, { responsive: true, displaylogo: false });
});
