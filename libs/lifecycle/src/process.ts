/**
 * `@tally/lifecycle/process`: this process's stop signals, caught from the moment this module
 * is loaded. Every app's `main.ts` imports it FIRST, before any other module (imports run in
 * order, and pino, ioredis or express take tens of ms to load), so that a SIGTERM during
 * start-up is handled instead of killing the process. A signal that comes while Node itself
 * is still booting, before any line of the app runs, still gets Node's default action: the
 * process then ends having read nothing.
 */
import { StopSignals } from './lib/stop-signals';

export const stopSignals = new StopSignals(process);
