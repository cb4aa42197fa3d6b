// inspection/figures.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var node = document.getElementById("inspection-chart-data");
  if (!window.echarts || !node) { return; }
  var data = JSON.parse(node.textContent);
  var charts = [];
  var month = document.getElementById("inspection-month-chart");
  if (month) {
    var m = window.echarts.init(month);
    m.setOption({
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {data: data.series},
      grid: {left: 50, right: 60, bottom: 40},
      xAxis: {type: "category", data: data.months},
      yAxis: [{type: "value", minInterval: 1}, {type: "value"}],
      series: [
        {name: data.series[0], type: "bar", data: data.cases},
        {name: data.series[1], type: "line", yAxisIndex: 1, data: data.recovered}
      ]
    });
    charts.push(m);
  }
  var matter = document.getElementById("inspection-matter-chart");
  if (matter && data.matters.length) {
    var p = window.echarts.init(matter);
    p.setOption({
      title: {text: data.matters_title, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "item", renderMode: "richText"},
      series: [{type: "pie", radius: ["35%", "65%"], top: 30, data: data.matters}]
    });
    charts.push(p);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
