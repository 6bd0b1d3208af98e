#!/usr/bin/env node
// Checks of the compose smoke test (run.sh), against the stack on 127.0.0.1 only.
//
//   node probe.mjs health --url URL --deadline-s N
//       polls GET /health until it answers 200.
//   node probe.mjs grow --url URL --state FILE --deadline-s N --label TEXT
//       polls until one consistent snapshot of the counts (sum of /events/countByEventType ==
//       /events/stats.events, with stats read before and after the counts and unchanged) shows
//       more events and more words than the snapshot saved in FILE (none yet: zero), and no
//       count below it; then saves the new snapshot to FILE. A count that went backwards fails
//       at once; anything else (no answer, 503, inconsistent or not grown yet) is retried
//       until the deadline.
//   REDIS_PASSWORD=... node probe.mjs redis-auth --port N
//       the Redis on 127.0.0.1:N refuses a client without the password (NOAUTH) and with a
//       wrong one (WRONGPASS), and answers PONG with it. The password comes from the
//       environment, never from the command line.
//
// Exit 0 on success, 1 with one `compose-smoke: ...` line on stderr otherwise. No dependencies.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const POLL_INTERVAL_MS = 250;
const REQUEST_TIMEOUT_MS = 3_000;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    state: { type: 'string' },
    'deadline-s': { type: 'string', default: '60' },
    label: { type: 'string', default: 'counts' },
    port: { type: 'string' },
  },
});
const [command] = positionals;
const baseUrl = values.url;
const deadlineMs = Date.now() + Number(values['deadline-s']) * 1000;

const usage =
  'usage: probe.mjs health|grow --url URL [--state FILE] [--deadline-s N] [--label TEXT]\n' +
  '       REDIS_PASSWORD=... probe.mjs redis-auth --port N';
if (command === 'redis-auth') {
  if (!/^\d+$/.test(values.port ?? '') || !process.env.REDIS_PASSWORD) fail(usage);
} else {
  if (!baseUrl || !['health', 'grow'].includes(command) || (command === 'grow' && !values.state)) {
    fail(usage);
  }
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) fail(`--url must be http://127.0.0.1:PORT`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function fail(message) {
  process.stderr.write(`compose-smoke: ${message}\n`);
  process.exit(1);
}

/** GET path as JSON; throws on no answer, a non-200 status or a non-JSON body. */
async function getJson(path) {
  const response = await fetch(baseUrl + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body}`);
  if (!/^application\/json/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`GET ${path}: content-type ${response.headers.get('content-type')}`);
  }
  return JSON.parse(body);
}

const sum = (counts) => Object.values(counts).reduce((total, n) => total + n, 0);

/** One snapshot of the counts, or null when the reads straddled a write (not atomic). */
async function readSnapshot() {
  const before = await getJson('/events/stats');
  const types = await getJson('/events/countByEventType');
  const words = await getJson('/events/countWords');
  const after = await getJson('/events/stats');
  const consistent = before.events === after.events && sum(types) === after.events;
  if (!consistent) return null;
  return { events: after.events, malformedLines: after.malformedLines, types, words };
}

/** Names of the counts in `next` that are below `prev` (missing counts as 0). */
function wentBackwards(prev, next) {
  const lower = [];
  if (next.events < prev.events) lower.push(`events ${prev.events} -> ${next.events}`);
  if (next.malformedLines < prev.malformedLines) {
    lower.push(`malformedLines ${prev.malformedLines} -> ${next.malformedLines}`);
  }
  for (const kind of ['types', 'words']) {
    for (const [key, n] of Object.entries(prev[kind])) {
      const now = next[kind][key] ?? 0;
      if (now < n) lower.push(`${kind}[${JSON.stringify(key)}] ${n} -> ${now}`);
    }
  }
  return lower;
}

async function health() {
  let last = 'no answer yet';
  while (Date.now() < deadlineMs) {
    try {
      const body = await getJson('/health');
      if (body.status === 'ok') return console.log(`health: ok`);
      last = JSON.stringify(body);
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  fail(`GET ${baseUrl}/health not 200 before the deadline (last: ${last})`);
}

async function grow() {
  const empty = { events: 0, malformedLines: 0, types: {}, words: {} };
  const prev = existsSync(values.state) ? JSON.parse(readFileSync(values.state, 'utf8')) : empty;
  let last = 'no answer yet';
  while (Date.now() < deadlineMs) {
    let next = null;
    try {
      next = await readSnapshot();
      if (!next) last = 'stats and countByEventType disagreed (a write in between)';
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    if (next) {
      const lower = wentBackwards(prev, next);
      if (lower.length > 0) fail(`${values.label}: counts went backwards: ${lower.join(', ')}`);
      if (next.events > prev.events && sum(next.words) > sum(prev.words)) {
        writeFileSync(values.state, JSON.stringify(next));
        const types = Object.entries(next.types).map(([type, n]) => `${type}=${n}`);
        console.log(
          `${values.label}: events ${prev.events} -> ${next.events}, words ${sum(prev.words)} -> ` +
            `${sum(next.words)} (${Object.keys(next.words).length} distinct), malformed ` +
            `${next.malformedLines}; ${types.join(' ')} (sum == stats.events)`,
        );
        return;
      }
      last = `not grown yet (events ${next.events}, words ${sum(next.words)})`;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  fail(`${values.label}: counts did not grow consistently before the deadline (last: ${last})`);
}

/**
 * Sends `commands` (RESP inline commands) on one new connection and resolves with the first
 * `replies` reply lines, or rejects after REQUEST_TIMEOUT_MS.
 */
function redisExchange(commands, replies) {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(values.port), '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${replies} replies within ${REQUEST_TIMEOUT_MS} ms (got ${text})`));
    }, REQUEST_TIMEOUT_MS);
    socket.on('connect', () => socket.write(commands.map((c) => `${c}\r\n`).join('')));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      const lines = text.split('\r\n');
      if (lines.length > replies) {
        clearTimeout(timer);
        socket.destroy();
        resolve(lines.slice(0, replies));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function redisAuth() {
  const password = process.env.REDIS_PASSWORD;
  // AUTH's argument as an inline command: the password is [A-Za-z0-9._~-] only (compose checks).
  const checks = [
    { what: 'without a password', commands: ['PING'], expect: [/^-NOAUTH/] },
    {
      what: 'with a wrong password',
      commands: [`AUTH x${password}`, 'PING'],
      expect: [/^-WRONGPASS/, /^-NOAUTH/],
    },
    {
      what: 'with REDIS_PASSWORD',
      commands: [`AUTH ${password}`, 'PING'],
      expect: [/^\+OK$/, /^\+PONG$/],
    },
  ];
  const seen = [];
  for (const { what, commands, expect } of checks) {
    const got = await redisExchange(commands, expect.length).catch((error) => {
      fail(`redis on 127.0.0.1:${values.port} ${what}: ${error.code ?? error.message}`);
    });
    if (!expect.every((pattern, i) => pattern.test(got[i]))) {
      fail(`redis on 127.0.0.1:${values.port} ${what}: got ${JSON.stringify(got)}`);
    }
    seen.push(`${what}: ${got.map((line) => line.split(' ')[0]).join(' ')}`);
  }
  console.log(`redis-auth: ${seen.join('; ')}`);
}

await (command === 'redis-auth' ? redisAuth() : command === 'health' ? health() : grow());
