// Nx's jest resolver, except that a .css file resolves to itself (Nx maps stylesheets to
// identity-obj-proxy for component tests): the api serves its stylesheet as text, and its
// tests load it through text-transform.cjs like the build does.
const nxResolver = require('@nx/jest/plugins/resolver');

module.exports = (path, options) =>
  path.endsWith('.css') ? options.defaultResolver(path, options) : nxResolver(path, options);
