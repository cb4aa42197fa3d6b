// cockpit/index.html: the trend lines and the bar chart by town (no inline script: CSP). Every
// chart has the same figures as a table on the page.
(function () {
  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  function axisFormatter(unit) {
    return unit === "percent" ? "{value}%" : "{value}";
  }
  document.querySelectorAll(".cockpit-trend").forEach(function (el) {
    var series = data.series[Number(el.getAttribute("data-index"))];
    var line = {name: series.label, type: "line", data: series.values, connectNulls: false, showSymbol: false};
    if (series.target !== null) {
      line.markLine = {symbol: "none", data: [{yAxis: series.target}], lineStyle: {type: "dashed"}};
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      title: {text: series.label, textStyle: {fontSize: 13}},
      tooltip: {trigger: "axis", renderMode: "richText"},
      grid: {left: 55, right: 15, top: 35, bottom: 30},
      xAxis: {type: "category", data: data.months},
      yAxis: {type: "value", axisLabel: {formatter: axisFormatter(series.unit)}},
      series: [line]
    });
    charts.push(chart);
  });
  var towns = document.getElementById("cockpit-towns");
  if (towns && data.towns.labels.length) {
    var bar = {name: data.towns.label, type: "bar", data: data.towns.coverage};
    if (data.towns.target !== null) {
      bar.markLine = {symbol: "none", data: [{yAxis: data.towns.target}], label: {formatter: "{c}%"}};
    }
    var chart = window.echarts.init(towns);
    chart.setOption({
      tooltip: {trigger: "axis", renderMode: "richText"},
      grid: {left: 50, right: 40, bottom: 70},
      xAxis: {type: "category", data: data.towns.labels, axisLabel: {interval: 0, rotate: data.towns.labels.length > 5 ? 30 : 0}},
      yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      series: [bar]
    });
    charts.push(chart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
