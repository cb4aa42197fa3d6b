// certification/figures.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var data = JSON.parse(document.getElementById("certification-chart-data").textContent);
  if (!window.echarts) { return; }
  var el = document.getElementById("coverage-chart");
  var coverage = window.echarts.init(el);
  coverage.setOption({
    tooltip: {trigger: "axis", renderMode: "richText"},
    grid: {left: 50, right: 30, bottom: 60},
    xAxis: {type: "category", data: data.towns, axisLabel: {interval: 0, rotate: data.towns.length > 6 ? 30 : 0}},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    series: [{name: data.series[0], type: "bar", data: data.coverage,
      markLine: {symbol: "none", data: [{yAxis: data.target}], label: {formatter: "{c}%"}}}]
  });
  var levelEl = document.getElementById("level-chart");
  var levels = levelEl ? window.echarts.init(levelEl) : null;
  if (levels) levels.setOption({
    tooltip: {trigger: "axis", renderMode: "richText"},
    grid: {left: 40, right: 20, bottom: 40},
    xAxis: {type: "category", data: data.levels},
    yAxis: {type: "value", minInterval: 1},
    series: [{name: data.series[1], type: "bar", data: data.certified}]
  });
  window.addEventListener("resize", function () { coverage.resize(); if (levels) { levels.resize(); } });
})();
