import { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_ICON, DASHBOARD_JS } from './assets';

describe('the bundled assets', () => {
  it('serve the browser script compiled from dashboard.ts: plain JavaScript, no types', () => {
    expect(DASHBOARD_JS).toContain('new EventSource(');
    expect(DASHBOARD_JS).not.toMatch(/: (string|number|void)\b/);
    expect(() => new Function(DASHBOARD_JS)).not.toThrow(); // parses as a script
  });

  it('carry the page, the stylesheet and the icon as text', () => {
    expect(DASHBOARD_HTML).toMatch(/^<!doctype html>/);
    expect(DASHBOARD_CSS).toContain(':root');
    expect(DASHBOARD_ICON).toMatch(/^<svg /);
  });
});
