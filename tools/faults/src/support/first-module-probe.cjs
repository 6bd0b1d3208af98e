// Preloaded (`node -r`) into a built app by startup-signals.faults.spec.ts: at the first
// require of a heavy dependency (pino, ioredis, express), prints how many SIGTERM and SIGINT
// listeners the app has installed by then, and exits. The app must have installed its stop
// handlers before loading any of them (@tally/lifecycle/process comes first in every main.ts).
const Module = require('node:module');
const original = Module._load;
const heavy = new Set(['pino', 'ioredis', 'express']);
Module._load = function load(request, ...rest) {
  if (heavy.has(request)) {
    const term = process.listenerCount('SIGTERM');
    const int = process.listenerCount('SIGINT');
    process.stdout.write(`PROBE ${request} SIGTERM=${term} SIGINT=${int}\n`);
    process.exit(0);
  }
  return original.call(this, request, ...rest);
};
