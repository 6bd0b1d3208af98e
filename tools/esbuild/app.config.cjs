// The esbuild options of every app's build (nx.json targetDefaults.build.esbuildConfig):
// source maps, `.js` outputs, and the dashboard's assets bundled into the api's main.js
// (.html/.css/.svg as text, `*.ts?script` as a browser bundle: browser-script.cjs), and the
// reference page's Swagger UI files as text (`?raw`: raw-text.cjs).
const { browserScriptPlugin } = require('./browser-script.cjs');
const { rawTextPlugin } = require('./raw-text.cjs');

module.exports = {
  sourcemap: true,
  outExtension: { '.js': '.js' },
  loader: { '.html': 'text', '.css': 'text', '.svg': 'text' },
  plugins: [browserScriptPlugin, rawTextPlugin],
};
