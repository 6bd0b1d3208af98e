// `import text from '<module or file>?raw'` gives the file's text, as it is on disk: the api
// bundles Swagger UI's prebuilt files (swagger-ui-dist) into its main.js this way, so its
// reference page (/docs) needs no file beside it and no CDN. Jest maps the same imports to the
// file and loads it through text-transform.cjs.
const SUFFIX = '?raw';

const rawTextPlugin = {
  name: 'raw-text',
  setup(build) {
    const fs = require('node:fs');
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: require.resolve(args.path.slice(0, -SUFFIX.length), { paths: [args.resolveDir] }),
      namespace: 'raw-text',
    }));
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await fs.promises.readFile(args.path, 'utf8'),
      loader: 'text',
      watchFiles: [args.path],
    }));
  },
};

module.exports = { rawTextPlugin };
