// Draws the analytics page's charts with uPlot from the page's JSON (#analytics-data). Each legend names its series'
// totals, computed from the very data drawn; the table under each chart holds the same numbers for everyone.
(function () {
  'use strict';
  var source = document.getElementById('analytics-data');
  if (!source || typeof uPlot === 'undefined') return;
  var spec = JSON.parse(source.textContent);
  var colours = ['#0b6e4f', '#8250df', '#cf222e'];
  var drawn = {};
  // For tests and the curious: the uPlot instance of each chart, by id.
  window.analyticsCharts = drawn;

  function total(values) {
    return values.reduce(function (sum, v) { return sum + v; }, 0);
  }

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function options(chart, width) {
    var days = chart.kind === 'days';
    var count = chart.series.length;
    return {
      width: width,
      height: 260,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      // Days are UTC days: the axis must not shift them into the browser's time zone.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: {
        x: days
          ? { time: true, range: function (u, min, max) { return [min - 43200, max + 43200]; } }
          : { time: false, range: [-0.5, 23.5] },
        y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } },
      },
      axes: [
        days
          ? { incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400], values: function (u, splits) { return splits.map(function (ts) { return new Date(ts * 1000).toISOString().slice(0, 10); }); } }
          : { incrs: [1, 2, 3, 6], values: function (u, splits) { return splits.map(function (h) { return pad(h) + ':00'; }); } },
        { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
      ],
      series: [{ label: days ? 'Day' : 'Hour' }].concat(chart.series.map(function (s, i) {
        return {
          label: s.label + ' (total ' + total(s.values) + ')',
          stroke: colours[i],
          fill: colours[i],
          width: 0,
          // Side by side: the first series left of the tick, the second right of it.
          paths: uPlot.paths.bars({ size: [0.8 / count, 48], align: i === 0 ? -1 : 1 }),
          points: { show: false },
        };
      })),
    };
  }

  spec.charts.forEach(function (chart) {
    var target = document.getElementById('chart-' + chart.id);
    if (!target) return;
    var data = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
    drawn[chart.id] = new uPlot(options(chart, target.clientWidth || 800), data, target);
  });

  var resizing;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      Object.keys(drawn).forEach(function (id) {
        var target = document.getElementById('chart-' + id);
        drawn[id].setSize({ width: target.clientWidth || 800, height: 260 });
      });
    }, 150);
  });
})();
