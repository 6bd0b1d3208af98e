/**
 * The dashboard's page, stylesheet, icon and script: real files in `src/dashboard/` that the
 * build bundles into dist/apps/api/main.js as strings (tools/esbuild/app.config.cjs: text
 * loaders, and the script bundled for the browser), so the built api serves them with no file
 * beside it and no CDN.
 */
import DASHBOARD_CSS from '../../dashboard/dashboard.css';
import DASHBOARD_JS from '../../dashboard/dashboard.ts?script';
import DASHBOARD_ICON from '../../dashboard/favicon.svg';
import DASHBOARD_HTML from '../../dashboard/index.html';

export { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_ICON, DASHBOARD_JS };
