/**
 * The dashboard's browser script: subscribes to `/events/live` and draws the totals, the rates
 * line (SVG) and the bars (DOM). No library. User data (event types, words) only ever reaches
 * the page through `textContent`, never as markup. Bundled at build time into one IIFE and
 * served as `/dashboard.js` (see ../app/dashboard/assets.ts).
 */

type Entry = readonly [key: string, count: number];
type SecondCount = readonly [second: number, count: number];

interface MalformedPoint {
  readonly t: number;
  readonly malformed: number;
}

interface Tick {
  readonly stats: { readonly events: number; readonly malformedLines: number };
  readonly rate: { readonly events: SecondCount[]; readonly malformed: MalformedPoint | null };
  readonly types: Entry[];
  readonly words: Entry[];
}

interface History {
  readonly events: SecondCount[];
  readonly malformed: MalformedPoint[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const HISTORY = 300;
const H = 220;
const PAD_L = 48;
const PAD_B = 22;
const PAD_T = 8;
const PAD_R = 8;
const number = new Intl.NumberFormat('en');
const rateFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
// events: [[second, n], …] by event time, the server's whole series of the last HISTORY
// seconds (replaced every tick); malformed: [{t: ms, malformed: per s}, …] by arrival.
let events: readonly SecondCount[] = [];
let malformed: MalformedPoint[] = [];
let source: EventSource | null = null;

function byId<T extends HTMLElement | SVGElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as unknown as T;
}

function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

function setStatus(kind: 'connecting' | 'live' | 'down', text: string): void {
  const status = byId('status');
  status.className = `status status-${kind}`;
  status.textContent = text;
}

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderBars(listId: string, entries: readonly Entry[]): void {
  const list = byId(listId);
  list.replaceChildren();
  const first = entries[0];
  if (first === undefined) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = 'nothing counted in this window';
    list.appendChild(empty);
    return;
  }
  const max = first[1] || 1;
  for (const [key, count] of entries) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = key;
    label.title = key;
    const track = document.createElement('span');
    track.className = 'track';
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.display = 'block';
    bar.style.width = `${((100 * count) / max).toFixed(2)}%`;
    track.appendChild(bar);
    const counted = document.createElement('span');
    counted.className = 'count';
    counted.textContent = number.format(count);
    item.appendChild(label);
    item.appendChild(track);
    item.appendChild(counted);
    item.setAttribute('aria-label', `${key}: ${number.format(count)}`);
    list.appendChild(item);
  }
}

function niceMax(value: number): number {
  if (value <= 1) return 1;
  const step = Math.pow(10, Math.floor(Math.log10(value)));
  for (const candidate of [1, 2, 5, 10]) {
    if (candidate * step >= value) return candidate * step;
  }
  return 10 * step;
}

function renderRate(): void {
  const chart = byId<SVGSVGElement>('rate-chart');
  chart.replaceChildren();
  // Drawn in CSS pixels at the chart's current width, so text is never stretched.
  const W = Math.max(240, chart.clientWidth || 800);
  chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
  // The server's clock: the last second of its series, else its last malformed point.
  const lastEvent = events[events.length - 1];
  const lastMalformed = malformed[malformed.length - 1];
  const nowMs = lastEvent ? lastEvent[0] * 1000 : lastMalformed ? lastMalformed.t : Date.now();
  const startMs = nowMs - HISTORY * 1000;
  let top = 0;
  for (const p of events) top = Math.max(top, p[1]);
  for (const p of malformed) if (p.t >= startMs) top = Math.max(top, p.malformed);
  top = niceMax(top);
  const x = (t: number) => PAD_L + ((W - PAD_L - PAD_R) * (t - startMs)) / (HISTORY * 1000);
  const y = (v: number) => PAD_T + (H - PAD_T - PAD_B) * (1 - v / top);
  for (const f of [0, 0.5, 1]) {
    chart.appendChild(
      svg('line', { class: 'grid', x1: PAD_L, x2: W - PAD_R, y1: y(top * f), y2: y(top * f) }),
    );
    chart.appendChild(
      svg(
        'text',
        { class: 'axis', x: PAD_L - 6, y: y(top * f) + 4, 'text-anchor': 'end' },
        rateFormat.format(top * f),
      ),
    );
  }
  const ticks: [string, number, string][] = [
    ['-5 min', startMs, 'start'],
    ['-2.5 min', startMs + HISTORY * 500, 'middle'],
    ['now', nowMs, 'end'],
  ];
  for (const [label, t, anchor] of ticks) {
    chart.appendChild(
      svg('text', { class: 'axis', x: x(t), y: H - 4, 'text-anchor': anchor }, label),
    );
  }
  const eventPoints = events.map((p) => `${x(p[0] * 1000).toFixed(1)},${y(p[1]).toFixed(1)}`);
  if (eventPoints.length > 0) {
    chart.appendChild(svg('polyline', { class: 'events', points: eventPoints.join(' ') }));
  }
  const malformedPoints = malformed
    .filter((p) => p.t >= startMs)
    .map((p) => `${x(p.t).toFixed(1)},${y(p.malformed).toFixed(1)}`);
  if (malformedPoints.length > 0) {
    chart.appendChild(svg('polyline', { class: 'malformed', points: malformedPoints.join(' ') }));
  }
  if (events.length === 0) {
    chart.appendChild(
      svg(
        'text',
        { class: 'axis', x: W / 2, y: H / 2, 'text-anchor': 'middle' },
        'waiting for the first tick',
      ),
    );
  }
}

function setEvents(series: readonly SecondCount[]): void {
  events = series;
  // The current second is still filling: the card shows the last whole one.
  const lastWhole = events[events.length - 2];
  if (lastWhole !== undefined) setText('rate-events', rateFormat.format(lastWhole[1]));
}

function windowName(): string {
  const select = byId<HTMLSelectElement>('window');
  return `(${select.options[select.selectedIndex]?.text ?? ''})`;
}

function onTick(data: Tick): void {
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

function connect(): void {
  if (source) source.close();
  const params = new URLSearchParams();
  const windowValue = byId<HTMLSelectElement>('window').value;
  if (windowValue) params.set('window', windowValue);
  params.set('top', byId<HTMLSelectElement>('top').value);
  document.querySelectorAll('.window-name').forEach((node) => {
    node.textContent = windowName();
  });
  setStatus('connecting', 'connecting…');
  const stream = new EventSource(`/events/live?${params.toString()}`);
  source = stream;
  stream.addEventListener('history', (event) => {
    const history = JSON.parse((event as MessageEvent<string>).data) as History;
    malformed = history.malformed;
    setEvents(history.events);
    renderRate();
  });
  stream.addEventListener('tick', (event) => {
    onTick(JSON.parse((event as MessageEvent<string>).data) as Tick);
  });
  stream.addEventListener('unavailable', (event) => {
    // The server's reason already says what is down: "redis unavailable: …".
    const { error } = JSON.parse((event as MessageEvent<string>).data) as { error: string };
    setStatus('down', error);
  });
  stream.addEventListener('error', () => {
    // EventSource reconnects by itself (the server sends retry:); say so meanwhile.
    const closed = stream.readyState === EventSource.CLOSED;
    setStatus(
      closed ? 'down' : 'connecting',
      closed ? 'disconnected: reload the page' : 'reconnecting…',
    );
  });
}

/** One sample of `GET /events/malformed`; `text` is already safe, and is set as text only. */
interface MalformedSample {
  readonly reason: string;
  readonly readAt: string;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly text: string;
}

/** How often the reasons and samples are read (they are a report, not a live series). */
const MALFORMED_EVERY_MS = 5000;
/** Samples shown (of the 100 the api keeps). */
const SAMPLES_SHOWN = 20;

function renderSamples(samples: readonly MalformedSample[]): void {
  const list = byId('malformed-samples');
  const items = samples.slice(0, SAMPLES_SHOWN).map((sample) => {
    const item = document.createElement('li');
    const meta = document.createElement('span');
    meta.className = 'meta';
    const size = `${number.format(sample.bytes)} bytes${sample.truncated ? ', cut' : ''}`;
    meta.textContent = `${sample.reason} · ${sample.readAt} · ${size}`;
    const text = document.createElement('code');
    text.textContent = sample.text;
    item.append(meta, text);
    return item;
  });
  if (items.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = 'no malformed line yet';
    items.push(empty);
  }
  list.replaceChildren(...items);
}

async function refreshMalformed(): Promise<void> {
  try {
    const res = await fetch('/events/malformed');
    if (!res.ok) return; // the live status already says when Redis is away
    const report = (await res.json()) as {
      byReason: Record<string, number>;
      recent: MalformedSample[];
    };
    renderBars('malformed-reasons', Object.entries(report.byReason));
    renderSamples(report.recent);
  } catch {
    // The api is away: the live stream's status says so; try again at the next turn.
  }
}

document.addEventListener('DOMContentLoaded', () => {
  void refreshMalformed();
  setInterval(() => void refreshMalformed(), MALFORMED_EVERY_MS);
  byId('window').addEventListener('change', connect);
  byId('top').addEventListener('change', connect);
  renderRate();
  connect();
  window.addEventListener('resize', renderRate);
});

export {};
