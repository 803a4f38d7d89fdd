// Beds per organisation as stacked bars. Data comes from json_script blocks in the page.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("occupancy-chart"); if (!el) return;
  // Only organisations that keep beds: complexes and centres without beds would be empty columns.
  var data = JSON.parse(document.getElementById("occupancy-data").textContent).filter(function (d) {
    return d.occupied + d.reserved + d.free > 0;
  });
  var labels = JSON.parse(document.getElementById("occupancy-labels").textContent);
  var colours = {occupied: "#dc3545", reserved: "#ffc107", free: "#198754"};
  var series = ["occupied", "reserved", "free"].map(function (key) {
    return {name: labels[key], type: "bar", stack: "beds", itemStyle: {color: colours[key]},
            data: data.map(function (d) { return d[key]; })};
  });
  var chart = echarts.init(el);
  // richText tooltips are drawn on the canvas: HTML tooltips carry inline styles the CSP refuses.
  chart.setOption({tooltip: {trigger: "axis", renderMode: "richText"}, legend: {},
    grid: {left: 60, right: 20, bottom: 110},
    xAxis: {type: "category", data: data.map(function (d) { return d.name; }), axisLabel: {interval: 0, rotate: 35}},
    yAxis: {type: "value", minInterval: 1}, series: series});
  window.addEventListener("resize", function () { chart.resize(); });
});
