// unions/figures.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var el = document.getElementById("coverage-chart");
  var data = JSON.parse(document.getElementById("coverage-chart-data").textContent);
  if (!el || !window.echarts) { return; }
  var chart = window.echarts.init(el);
  var coverage = {name: data.series[0], type: "bar", data: data.coverage};
  if (data.target !== null) {
    coverage.markLine = {symbol: "none", data: [{yAxis: data.target}], label: {formatter: "{c}%"}};
  }
  chart.setOption({
    tooltip: {trigger: "axis", renderMode: "richText"},
    legend: {data: data.series},
    grid: {left: 50, right: 50, bottom: 60},
    xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: data.labels.length > 6 ? 30 : 0}},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    series: [coverage, {name: data.series[1], type: "bar", data: data.membership}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
