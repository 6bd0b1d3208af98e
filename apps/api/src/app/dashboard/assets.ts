/**
 * The dashboard's page, stylesheet, icon and script: real files in `src/dashboard/` that the
 * build bundles into dist/apps/api/main.js as strings (tools/esbuild/app.config.cjs: text
 * loaders, and the script bundled for the browser), so the built api serves them with no file
 * beside it and no CDN. The page's window choices are filled in here, from the retention.
 */
import DASHBOARD_CSS from '../../dashboard/dashboard.css';
import DASHBOARD_JS from '../../dashboard/dashboard.ts?script';
import DASHBOARD_ICON from '../../dashboard/favicon.svg';
import PAGE_TEMPLATE from '../../dashboard/index.html';

export { DASHBOARD_CSS, DASHBOARD_ICON, DASHBOARD_JS };

/** The windows the page may offer, each shown only when the retention reaches it. */
export const WINDOW_CHOICES: readonly { readonly seconds: number; readonly label: string }[] = [
  { seconds: 60, label: 'last 1 min' },
  { seconds: 600, label: 'last 10 min' },
  { seconds: 3600, label: 'last 1 h' },
];

/** The line of index.html that the window options replace (with its indentation). */
const WINDOW_OPTIONS_MARK = /^([ \t]*)<!-- window-options:[^>]*-->\n/m;

/**
 * The page for a retention of `retentionSeconds`: it offers only the windows the api accepts
 * (a `window` above WINDOW_RETENTION_S is a 400), then "all time".
 */
export function dashboardHtml(retentionSeconds: number): string {
  const mark = WINDOW_OPTIONS_MARK.exec(PAGE_TEMPLATE);
  if (mark === null) throw new Error('src/dashboard/index.html lost its window-options mark');
  const indent = mark[1] ?? '';
  const options = WINDOW_CHOICES.filter((choice) => choice.seconds <= retentionSeconds)
    .map((choice) => `${indent}<option value="${choice.seconds}">${choice.label}</option>\n`)
    .join('');
  return PAGE_TEMPLATE.replace(WINDOW_OPTIONS_MARK, () => options);
}
