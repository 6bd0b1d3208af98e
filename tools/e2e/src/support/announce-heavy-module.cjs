// Preloaded (NODE_OPTIONS=--require) into the built api by api-stop.e2e.spec.ts: writes one
// line to stderr at the first require of a heavy dependency (pino, ioredis, express), so the
// test knows the app's own code is running (its stop handlers are installed by then, see
// tools/faults startup-signals) and can send a signal at known moments of start-up after it.
const Module = require('node:module');
const original = Module._load;
const heavy = new Set(['pino', 'ioredis', 'express']);
let announced = false;
Module._load = function load(request, ...rest) {
  if (!announced && heavy.has(request)) {
    announced = true;
    process.stderr.write(`LOADING ${request}\n`);
  }
  return original.call(this, request, ...rest);
};
