// Elders per street as bars. Data comes from the json_script block "by-street-data".
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("by-street"); if (!el) return;
  var data = JSON.parse(document.getElementById("by-street-data").textContent);
  var chart = echarts.init(el);
  // richText tooltips are drawn on the canvas: HTML tooltips carry inline styles the CSP refuses.
  chart.setOption({tooltip: {renderMode: "richText"}, grid: {left: 60, right: 20, bottom: 40},
    xAxis: {type: "category", data: data.map(function (d) { return d.name; })},
    yAxis: {type: "value"}, series: [{type: "bar", data: data.map(function (d) { return d.count; })}]});
  window.addEventListener("resize", function () { chart.resize(); });
});
