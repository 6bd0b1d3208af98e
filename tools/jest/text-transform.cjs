// jest's view of the build's text loaders (tools/esbuild/app.config.cjs): an .html, .css or
// .svg file is its text, and a browser script (src/dashboard/*.ts, imported as `*.ts?script`)
// its browser bundle, so a test gets the same strings the built api serves.
const { bundleSync } = require('../esbuild/browser-script.cjs');

module.exports = {
  process(source, filename) {
    const text = filename.endsWith('.ts') ? bundleSync(filename) : source;
    return { code: `module.exports = ${JSON.stringify(text)};` };
  },
};
