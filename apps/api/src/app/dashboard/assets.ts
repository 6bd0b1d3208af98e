/**
 * The dashboard page, its stylesheet and its script, as strings: esbuild bundles them into
 * dist/apps/api/main.js, so the built api serves them with no file beside it and no CDN.
 * Hand-written; the script draws with the DOM and SVG (no library) and puts every event type
 * and word into the page as text nodes (`textContent`), never as markup.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tally: live dashboard</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <h1>tally <span class="sub">live event counts</span></h1>
  <p id="status" class="status status-connecting" role="status" aria-live="polite">connecting…</p>
</header>
<main>
  <section class="controls" aria-labelledby="controls-title">
    <h2 id="controls-title" class="visually-hidden">Selection</h2>
    <label for="window">Window</label>
    <select id="window" name="window">
      <option value="60">last 1 min</option>
      <option value="600">last 10 min</option>
      <option value="3600">last 1 h</option>
      <option value="" selected>all time</option>
    </select>
    <label for="top">Top</label>
    <select id="top" name="top">
      <option value="5">5</option>
      <option value="10" selected>10</option>
      <option value="20">20</option>
      <option value="50">50</option>
    </select>
  </section>
  <section class="totals" aria-labelledby="totals-title">
    <h2 id="totals-title" class="visually-hidden">Totals</h2>
    <div class="card total"><h3>Events (all time)</h3><p id="total-events" class="big">–</p></div>
    <div class="card total"><h3>Malformed lines (all time)</h3><p id="total-malformed" class="big">–</p></div>
    <div class="card total"><h3>Events / s (last second)</h3><p id="rate-events" class="big">–</p></div>
    <div class="card total"><h3>Malformed / s</h3><p id="rate-malformed" class="big">–</p></div>
  </section>
  <section class="card wide" aria-labelledby="rate-title">
    <h2 id="rate-title">Events and malformed lines per second, last 5 minutes</h2>
    <ul class="legend">
      <li><span class="swatch swatch-events"></span>events / s by event time (solid)</li>
      <li><span class="swatch swatch-malformed"></span>malformed / s as ingested (dashed)</li>
    </ul>
    <svg id="rate-chart" class="chart" role="img" aria-labelledby="rate-title"></svg>
  </section>
  <div class="pair">
    <section class="card" aria-labelledby="types-title">
      <h2 id="types-title">Counts by event type <span class="window-name"></span></h2>
      <ol id="types" class="bars"></ol>
    </section>
    <section class="card" aria-labelledby="words-title">
      <h2 id="words-title">Top words <span class="window-name"></span></h2>
      <ol id="words" class="bars"></ol>
    </section>
  </div>
</main>
<footer>Pushed by the api every second over <code>/events/live</code> (Server-Sent Events).</footer>
</body>
</html>
`;

/** The tab icon (the browser asks for one; without it, every page load logs a 404). */
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<rect width="16" height="16" rx="3" fill="#17202c"/>
<rect x="3" y="8" width="2.5" height="5" fill="#7fb0ff"/><rect x="6.75" y="4" width="2.5" height="9" fill="#7fb0ff"/>
<rect x="10.5" y="6" width="2.5" height="7" fill="#7fb0ff"/></svg>
`;

export const DASHBOARD_CSS = `
:root { --bg: #f4f6f9; --card: #fff; --ink: #1c2430; --muted: #5b6675; --accent: #2f6fde;
  --bad: #c2410c; --line: #dde3ea; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
.top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between;
  gap: 8px; padding: 14px 20px; background: #17202c; color: #fff; }
h1 { margin: 0; font-size: 1.4rem; }
h1 .sub { font-weight: 400; color: #b8c3d1; font-size: 1rem; margin-left: 6px; }
h2 { font-size: 1rem; margin: 0 0 10px; }
h3 { font-size: .8rem; margin: 0; color: var(--muted); font-weight: 600; text-transform: uppercase;
  letter-spacing: .03em; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; display: grid; gap: 16px; }
.status { margin: 0; padding: 4px 12px; border-radius: 999px; font-weight: 600; font-size: .9rem; }
.status-live { background: #dcfce7; color: #14532d; }
.status-connecting { background: #e2e8f0; color: #1e293b; }
.status-down { background: #fee2e2; color: #7f1d1d; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
.controls label { font-weight: 600; }
.controls select { font: inherit; padding: 6px 10px; border: 1px solid #b6c0cc; border-radius: 6px;
  background: #fff; min-height: 36px; }
.totals { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
  min-width: 0; }
.big { font-size: 1.8rem; font-weight: 700; margin: 6px 0 0; font-variant-numeric: tabular-nums; }
.pair { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.window-name { font-weight: 400; color: var(--muted); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 16px; padding: 0; margin: 0 0 6px;
  font-size: .9rem; color: var(--muted); }
.swatch { display: inline-block; width: 22px; height: 0; border-top: 3px solid var(--accent);
  vertical-align: middle; margin-right: 6px; }
.swatch-malformed { border-top: 3px dashed var(--bad); }
.chart { width: 100%; height: 220px; display: block; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 12px; }
.chart .events { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
.chart .malformed { fill: none; stroke: var(--bad); stroke-width: 2; stroke-dasharray: 6 4;
  vector-effect: non-scaling-stroke; }
.bars { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
.bars li { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr) auto; align-items: center;
  gap: 8px; font-size: .92rem; }
.bars .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bars .track { background: #eef2f7; border-radius: 4px; height: 18px; }
.bars .bar { background: var(--accent); height: 100%; border-radius: 4px; min-width: 2px; }
#words .bar { background: #0f766e; }
.bars .count { font-variant-numeric: tabular-nums; font-weight: 600; text-align: right; min-width: 3ch; }
.empty { color: var(--muted); font-style: italic; }
footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 8px 16px 24px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
@media (max-width: 720px) {
  .totals { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .pair { grid-template-columns: 1fr; }
  .big { font-size: 1.4rem; }
  main { padding: 10px; gap: 10px; }
}
`;

// The browser script. Plain ES2017, no modules, no template literals (this file holds it in
// one). User data (event types, words) only ever reaches the page through textContent.
export const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var HISTORY = 300;
  var H = 220, PAD_L = 48, PAD_B = 22, PAD_T = 8, PAD_R = 8;
  var number = new Intl.NumberFormat('en');
  var rateFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
  // events: [[second, n], …] by event time, the server's whole series of the last HISTORY
  // seconds (replaced every tick); malformed: [{t: ms, malformed: per s}, …] by arrival.
  var events = [];
  var malformed = [];
  var source = null;
  var byId = function (id) { return document.getElementById(id); };

  function setText(id, text) { byId(id).textContent = text; }

  function setStatus(kind, text) {
    var status = byId('status');
    status.className = 'status status-' + kind;
    status.textContent = text;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderBars(listId, entries) {
    var list = byId(listId);
    list.replaceChildren();
    if (entries.length === 0) {
      var empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'nothing counted in this window';
      list.appendChild(empty);
      return;
    }
    var max = entries[0][1] || 1;
    entries.forEach(function (entry) {
      var item = document.createElement('li');
      var label = document.createElement('span');
      label.className = 'label';
      label.textContent = entry[0];
      label.title = entry[0];
      var track = document.createElement('span');
      track.className = 'track';
      var bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.display = 'block';
      bar.style.width = (100 * entry[1] / max).toFixed(2) + '%';
      track.appendChild(bar);
      var count = document.createElement('span');
      count.className = 'count';
      count.textContent = number.format(entry[1]);
      item.appendChild(label);
      item.appendChild(track);
      item.appendChild(count);
      item.setAttribute('aria-label', entry[0] + ': ' + number.format(entry[1]));
      list.appendChild(item);
    });
  }

  function niceMax(value) {
    if (value <= 1) return 1;
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var candidates = [1, 2, 5, 10];
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i] * step >= value) return candidates[i] * step;
    }
    return 10 * step;
  }

  function renderRate() {
    var chart = byId('rate-chart');
    chart.replaceChildren();
    // Drawn in CSS pixels at the chart's current width, so text is never stretched.
    var W = Math.max(240, chart.clientWidth || 800);
    chart.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    // The server's clock: the last second of its series, else its last malformed point.
    var nowMs = events.length ? events[events.length - 1][0] * 1000
      : malformed.length ? malformed[malformed.length - 1].t : Date.now();
    var startMs = nowMs - HISTORY * 1000;
    var top = 0;
    events.forEach(function (p) { top = Math.max(top, p[1]); });
    malformed.forEach(function (p) { if (p.t >= startMs) top = Math.max(top, p.malformed); });
    top = niceMax(top);
    var x = function (t) { return PAD_L + (W - PAD_L - PAD_R) * (t - startMs) / (HISTORY * 1000); };
    var y = function (v) { return PAD_T + (H - PAD_T - PAD_B) * (1 - v / top); };
    [0, 0.5, 1].forEach(function (f) {
      chart.appendChild(svg('line', { class: 'grid', x1: PAD_L, x2: W - PAD_R, y1: y(top * f), y2: y(top * f) }));
      chart.appendChild(svg('text', { class: 'axis', x: PAD_L - 6, y: y(top * f) + 4, 'text-anchor': 'end' },
        rateFormat.format(top * f)));
    });
    [['-5 min', startMs, 'start'], ['-2.5 min', startMs + HISTORY * 500, 'middle'], ['now', nowMs, 'end']]
      .forEach(function (tick) {
        chart.appendChild(svg('text', { class: 'axis', x: x(tick[1]), y: H - 4, 'text-anchor': tick[2] }, tick[0]));
      });
    var eventPoints = events.map(function (p) {
      return x(p[0] * 1000).toFixed(1) + ',' + y(p[1]).toFixed(1);
    });
    if (eventPoints.length > 0) chart.appendChild(svg('polyline', { class: 'events', points: eventPoints.join(' ') }));
    var malformedPoints = malformed.filter(function (p) { return p.t >= startMs; })
      .map(function (p) { return x(p.t).toFixed(1) + ',' + y(p.malformed).toFixed(1); });
    if (malformedPoints.length > 0) {
      chart.appendChild(svg('polyline', { class: 'malformed', points: malformedPoints.join(' ') }));
    }
    if (events.length === 0) {
      chart.appendChild(svg('text', { class: 'axis', x: W / 2, y: H / 2, 'text-anchor': 'middle' },
        'waiting for the first tick'));
    }
  }

  function setEvents(series) {
    events = series;
    // The current second is still filling: the card shows the last whole one.
    if (events.length >= 2) setText('rate-events', rateFormat.format(events[events.length - 2][1]));
  }

  function windowName() {
    var select = byId('window');
    return '(' + select.options[select.selectedIndex].text + ')';
  }

  function onTick(data) {
    setStatus('live', 'live');
    setText('total-events', number.format(data.stats.events));
    setText('total-malformed', number.format(data.stats.malformedLines));
    setEvents(data.rate.events);
    if (data.rate.malformed) {
      malformed.push(data.rate.malformed);
      if (malformed.length > HISTORY) malformed.shift();
      setText('rate-malformed', rateFormat.format(data.rate.malformed.malformed));
    }
    renderBars('types', data.types);
    renderBars('words', data.words);
    renderRate();
  }

  function connect() {
    if (source) source.close();
    var params = new URLSearchParams();
    var windowValue = byId('window').value;
    if (windowValue) params.set('window', windowValue);
    params.set('top', byId('top').value);
    document.querySelectorAll('.window-name').forEach(function (node) { node.textContent = windowName(); });
    setStatus('connecting', 'connecting…');
    source = new EventSource('/events/live?' + params.toString());
    source.addEventListener('history', function (event) {
      var history = JSON.parse(event.data);
      malformed = history.malformed;
      setEvents(history.events);
      renderRate();
    });
    source.addEventListener('tick', function (event) { onTick(JSON.parse(event.data)); });
    source.addEventListener('unavailable', function (event) {
      setStatus('down', 'Redis unavailable: ' + JSON.parse(event.data).error);
    });
    source.addEventListener('error', function () {
      // EventSource reconnects by itself (the server sends retry:); say so meanwhile.
      setStatus(source.readyState === EventSource.CLOSED ? 'down' : 'connecting',
        source.readyState === EventSource.CLOSED ? 'disconnected: reload the page' : 'reconnecting…');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    byId('window').addEventListener('change', connect);
    byId('top').addEventListener('change', connect);
    renderRate();
    connect();
    window.addEventListener('resize', renderRate);
  });
})();
`;
