import { DASHBOARD_CSS, DASHBOARD_ICON, DASHBOARD_JS, dashboardHtml } from './assets';

/** The window choices a page offers, as [value, label]. */
function windowChoices(html: string): [string, string][] {
  const select = /<select id="window"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [
    m[1] as string,
    m[2] as string,
  ]);
}

describe('dashboardHtml', () => {
  it('offers every window the default retention allows, then all time', () => {
    expect(windowChoices(dashboardHtml(3600))).toEqual([
      ['60', 'last 1 min'],
      ['600', 'last 10 min'],
      ['3600', 'last 1 h'],
      ['', 'all time'],
    ]);
  });

  it.each([
    [3599, ['60', '600', '']],
    [600, ['60', '600', '']],
    [599, ['60', '']],
    [59, ['']],
  ])('with a retention of %i s offers only %j', (retention, values) => {
    expect(windowChoices(dashboardHtml(retention)).map(([value]) => value)).toEqual(values);
  });

  it('keeps the rest of the page and leaves no mark behind', () => {
    const html = dashboardHtml(3600);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<script src="/dashboard.js" defer></script>');
    expect(html).not.toContain('window-options');
  });
});

describe('the bundled assets', () => {
  it('serve the browser script compiled from dashboard.ts: plain JavaScript, no types', () => {
    expect(DASHBOARD_JS).toContain('new EventSource(');
    expect(DASHBOARD_JS).not.toMatch(/: (string|number|void)\b/);
    expect(() => new Function(DASHBOARD_JS)).not.toThrow(); // parses as a script
  });

  it('show the server\'s "redis unavailable: …" reason once, without a prefix of its own', () => {
    expect(DASHBOARD_JS).not.toMatch(/Redis unavailable/i);
  });

  it('carry the stylesheet and the icon as text', () => {
    expect(DASHBOARD_CSS).toContain(':root');
    expect(DASHBOARD_ICON).toMatch(/^<svg /);
  });
});
