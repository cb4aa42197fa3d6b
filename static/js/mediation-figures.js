// mediation/figures.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var data = JSON.parse(document.getElementById("mediation-chart-data").textContent);
  var el = document.getElementById("month-chart");
  if (!window.echarts || !el) { return; }
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", renderMode: "richText"},
    legend: {data: data.series},
    grid: {left: 50, right: 50, bottom: 40},
    xAxis: {type: "category", data: data.months},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", minInterval: 1}],
    series: [
      {name: data.series[0], type: "bar", data: data.cases},
      {name: data.series[1], type: "line", yAxisIndex: 1, data: data.workers}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
