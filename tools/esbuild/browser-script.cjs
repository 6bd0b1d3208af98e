// A browser script imported by the api as text: `import js from './dashboard.ts?script'` gives
// the file bundled for the browser (one IIFE, type-stripped), as a string. Used by the apps'
// esbuild config (app.config.cjs) and by jest (text-transform.cjs), so tests load what ships.
const esbuild = require('esbuild');

const SUFFIX = '?script';

/** esbuild options of a browser bundle of `file`. */
function browserBuild(file) {
  return {
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
  };
}

/** The bundled text of `file`, synchronously (jest transforms are synchronous). */
function bundleSync(file) {
  return esbuild.buildSync(browserBuild(file)).outputFiles[0].text;
}

/** The esbuild plugin that resolves `<file>.ts?script` imports to their bundled text. */
const browserScriptPlugin = {
  name: 'browser-script',
  setup(build) {
    const path = require('node:path');
    build.onResolve({ filter: /\?script$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.slice(0, -SUFFIX.length)),
      namespace: 'browser-script',
    }));
    build.onLoad({ filter: /.*/, namespace: 'browser-script' }, async (args) => {
      const result = await esbuild.build(browserBuild(args.path));
      return { contents: result.outputFiles[0].text, loader: 'text', watchFiles: [args.path] };
    });
  },
};

module.exports = { bundleSync, browserScriptPlugin };
