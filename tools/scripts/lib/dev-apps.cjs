// What `npm start` (start-dev.mjs) runs: the three built apps, each with its line prefix, its
// inspector port and its environment. Pure functions, tested in dev-apps.spec.ts.

/** The apps in start order, with the inspector port each gets when asked for one. */
const APPS = Object.freeze([
  { name: 'producer', inspectPort: 9231 },
  { name: 'ingest', inspectPort: 9230 },
  { name: 'api', inspectPort: 9229 },
]);

const NAME_WIDTH = Math.max(...APPS.map((app) => app.name.length));

/**
 * `api      | `: every prefix has the same width, so the lines after it line up.
 * @param {string} name
 */
function prefixOf(name) {
  return `${name.padEnd(NAME_WIDTH)} | `;
}

/**
 * INSPECT: unset, empty or `0` inspects nothing; `1` every app; a comma-separated list of app
 * names (`api`, `api,ingest`) those. Each app listens on 127.0.0.1 at its own port.
 * @param {string | undefined} value
 * @returns {Map<string, number>} app name -> inspector port
 * @throws {Error} with a one-line message when INSPECT names no app
 */
function inspectorPorts(value) {
  const ports = new Map();
  if (value === undefined || value === '' || value === '0') return ports;
  const names = value === '1' ? APPS.map((app) => app.name) : value.split(',');
  for (const name of names) {
    const app = APPS.find((candidate) => candidate.name === name.trim());
    if (!app) {
      throw new Error(
        `invalid INSPECT ${JSON.stringify(value)}: expected 1, 0 or app names from ` +
          APPS.map((candidate) => candidate.name).join(', '),
      );
    }
    ports.set(app.name, app.inspectPort);
  }
  return ports;
}

/**
 * The environment of each app: the caller's, plus LOG_FORMAT=pretty when the output goes to a
 * terminal (unless LOG_FORMAT is set), and FORCE_COLOR then, because the app's own stdout is
 * a pipe to start-dev, not the terminal (unless NO_COLOR or FORCE_COLOR is set).
 * @param {Record<string, string | undefined>} env
 * @param {boolean} toTerminal
 * @returns {Record<string, string | undefined>}
 */
function appEnv(env, toTerminal) {
  const out = { ...env };
  if (out.LOG_FORMAT === undefined) out.LOG_FORMAT = toTerminal ? 'pretty' : 'json';
  if (toTerminal && out.NO_COLOR === undefined && out.FORCE_COLOR === undefined) {
    out.FORCE_COLOR = '1';
  }
  return out;
}

module.exports = { APPS, prefixOf, inspectorPorts, appEnv };
