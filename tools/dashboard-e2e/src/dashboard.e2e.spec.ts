import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BatchAggregator, commitBatch, keyLayout, type KeyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  testRedisReachable,
  freeLocalPort,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import {
  API_DESCRIPTION_FILE,
  type AppProcess,
  assertRunning,
  startApp,
  stopApp,
  workspaceRoot,
} from '@tally/app-processes';
import { describeIf, eventually, watchOrigin } from '@tally/testing';
import type { Redis } from 'ioredis';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = join(workspaceRoot, 'tmp', 'dashboard');
/** User data that must show as text, never run. */
const HOSTILE_TYPE = '<img src=x onerror=alert(1)>';
const SCRIPT_TYPE = '<script>alert(2)</script>';

/** What the browser test needs and this machine lacks, if anything (.ci/run provides both). */
function missing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!testRedisReachable())
    return `no Redis at ${testRedisUrl()} (set REDIS_URL or start redis-server)`;
  return undefined;
}

/** No Chromium or no Redis: fail in CI, skip with a message elsewhere. */
function describeWithChromium(name: string, body: () => void): void {
  const lacking = missing();
  describeIf(name, () => lacking === undefined, lacking ?? '', body);
}

let seq = 0;
const ingestId = randomUUID();

/** Writes through the real write path, as the ingest does: one aggregated batch, one script. */
async function write(
  redis: Redis,
  keys: KeyLayout,
  events: Record<string, number>,
  words: string[],
  malformed = 0,
) {
  const batch = new BatchAggregator();
  const second = Math.floor(Date.now() / 1000);
  for (const [type, n] of Object.entries(events)) {
    for (let i = 0; i < n; i++) batch.addEvent(type, second);
  }
  for (const word of words) batch.addWord(word);
  if (malformed > 0) batch.addMalformed(malformed);
  await commitBatch(
    redis,
    keys,
    batch.take(),
    { ingestId, seq: ++seq },
    { retentionSeconds: 3600 },
  );
}

/** The event-type bars as the page shows them: label text and count text. */
function bars(page: Page, list: 'types' | 'words' | 'malformed-reasons') {
  return page.$$eval(`#${list} li:not(.empty)`, (items) =>
    items.map((item) => [
      item.querySelector('.label')?.textContent ?? '',
      item.querySelector('.count')?.textContent ?? '',
    ]),
  );
}

describeWithChromium('the dashboard at / in headless Chromium (built api)', () => {
  const prefix = uniqueTestPrefix('dashboard');
  const keys = keyLayout(prefix);
  let redis: Redis;
  let api: AppProcess | undefined;
  let baseUrl: string;
  let userDataDir: string;
  let context: BrowserContext;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    redis = createTestRedis();
    await write(
      redis,
      keys,
      { click: 120, view: 75, purchase: 18, [HOSTILE_TYPE]: 9, [SCRIPT_TYPE]: 4 },
      ['lorem', 'lorem', 'lorem', 'ipsum', 'ipsum', 'dolor', '<b>bold</b>'],
      6,
    );
    // Two malformed lines with their reasons and bytes, as the ingest keeps them: markup and
    // invalid UTF-8 must show as text.
    const batch = new BatchAggregator();
    batch.addMalformedLine('invalid-json', Buffer.from(HOSTILE_TYPE), HOSTILE_TYPE.length, 0);
    batch.addMalformedLine('invalid-utf8', Buffer.from([0x7b, 0xff, 0x7d]), 3, 1000);
    await commitBatch(
      redis,
      keys,
      batch.take(),
      { ingestId, seq: ++seq },
      { retentionSeconds: 3600 },
    );
    const port = await freeLocalPort();
    baseUrl = `http://127.0.0.1:${port}`;
    watchOrigin(baseUrl); // what the spec fetches is checked against the OpenAPI file
    const started = startApp(
      'api',
      { REDIS_URL: testRedisUrl(), KEY_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1' },
      join(workspaceRoot, 'tmp', 'dashboard-logs'),
    );
    api = started;
    await eventually('the built api to answer /health', async () => {
      assertRunning(started);
      return (await fetch(`${baseUrl}/health`)).status === 200 ? true : undefined;
    });

    userDataDir = mkdtempSync(join(tmpdir(), 'tally-dashboard-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (api) await stopApp(api);
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  async function openPage(path = '/'): Promise<Page> {
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // A CSP violation (an inline script or style the policy blocked) is a console error.
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${baseUrl}${path}`);
    return page;
  }

  it('shows the counts written, event types as text, and keeps them live', async () => {
    const page = await openPage();
    // Keep events coming so that the per-second line has something to draw.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await write(redis, keys, { click: 3 + (i % 4), view: 2 }, ['lorem', 'amet'], i % 3);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    try {
      await page.waitForSelector('#types li .label');
      const types = await bars(page, 'types');
      expect(types.map(([label]) => label)).toEqual([
        'click',
        'view',
        'purchase',
        HOSTILE_TYPE,
        SCRIPT_TYPE,
      ]);
      expect(types.slice(2)).toEqual([
        ['purchase', '18'],
        [HOSTILE_TYPE, '9'],
        [SCRIPT_TYPE, '4'],
      ]);
      // Shown as text: no element was made from the data, and nothing ran.
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('main script, main b').count()).toBe(0);
      await expect(
        page.locator('#types').getByText(HOSTILE_TYPE, { exact: true }).count(),
      ).resolves.toBe(1);
      expect((await bars(page, 'words'))[0][0]).toBe('lorem');
      // Why lines were malformed: the reasons as bars, the samples as text, newest first.
      await page.waitForSelector('#malformed-samples li code');
      expect(await bars(page, 'malformed-reasons')).toEqual([
        ['invalid-json', '1'],
        ['invalid-utf8', '1'],
      ]);
      expect(
        await page.$$eval('#malformed-samples code', (codes) => codes.map((c) => c.textContent)),
      ).toEqual(['{\\xFF}', HOSTILE_TYPE]);
      expect(await page.textContent('#status')).toBe('live');

      // The events line (event time, from the windowed counts) is whole from the first tick:
      // one point per second of the last 5 minutes. The malformed line (as ingested) needs a
      // few ticks; the totals follow the writes.
      await page.waitForFunction(
        () =>
          (document.querySelector('#rate-chart .events')?.getAttribute('points') ?? '').split(' ')
            .length === 300,
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForFunction(
        () =>
          (document.querySelector('#rate-chart .malformed')?.getAttribute('points') ?? '').split(
            ' ',
          ).length >= 3,
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForFunction(
        () =>
          Number((document.querySelector('#total-events')?.textContent ?? '0').replace(/,/g, '')) >
          226,
        undefined,
        { timeout: 20_000 },
      );

      // The window choices come from the api: those WINDOW_RETENTION_S (3600 here) allows.
      const choices = await page.$$eval('#window option', (options) =>
        options.map((option) => [(option as HTMLOptionElement).value, option.textContent]),
      );
      expect(choices).toEqual([
        ['60', 'last 1 min'],
        ['600', 'last 10 min'],
        ['3600', 'last 1 h'],
        ['', 'all time'],
      ]);

      // The window selector reconnects with ?window=60: the counts of the last minute.
      await page.selectOption('#window', '60');
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'live');
      expect((await bars(page, 'types')).map(([label]) => label)).toContain(HOSTILE_TYPE);

      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.selectOption('#window', '');
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'live');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-phone.png'), fullPage: true });
    } finally {
      writing = false;
      await writer;
      await page.close();
    }
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('renders the API reference at /docs offline: every operation, no request elsewhere', async () => {
    const described = JSON.parse(readFileSync(API_DESCRIPTION_FILE, 'utf8')) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    const operations = Object.entries(described.paths).flatMap(([path, item]) =>
      Object.values(item).map((op) => [path, op.summary]),
    );
    const elsewhere: string[] = [];
    // Anything not for this api is refused and recorded (the machine has no internet anyway).
    await context.route(
      (url) => url.origin !== baseUrl && url.protocol !== 'data:',
      async (route) => {
        elsewhere.push(route.request().url());
        await route.abort('blockedbyclient');
      },
    );
    const page = await openPage('/docs');
    try {
      await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
      const shown = await page.$$eval('.opblock', (blocks) =>
        blocks.map((block) => [
          block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
          block.querySelector('.opblock-summary-description')?.textContent ?? '',
        ]),
      );
      expect(shown.sort()).toEqual(operations.sort());
      expect(await page.textContent('.info .title')).toContain('tally API');
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'docs.png'), fullPage: true });
    } finally {
      await page.close();
      await context.unrouteAll();
    }
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('serves the page with a strict Content-Security-Policy from the built api', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(`${api?.stdout()}${api?.stderr()}`).not.toContain('"level":50');
  });
});
