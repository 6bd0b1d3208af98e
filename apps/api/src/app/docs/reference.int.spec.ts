import { keyLayout } from '@tally/aggregation';
import { checkedAnswers } from '@tally/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { listenOnEphemeralPort, request, type RunningHttp } from '../../testing/harness';
import { createApp } from '../app';
import { OPENAPI_DOCUMENT } from './openapi';

// No Redis is needed: the description and the reference page are fixed files. The client
// never connects (lazyConnect); the read endpoints are covered by app.int.spec.ts.
describe('the OpenAPI description and the reference page', () => {
  let api: RunningHttp;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    const app = createApp({
      redis,
      keys: keyLayout('reference-test'),
      retentionSeconds: 7200,
      logger: pino({ level: 'silent' }),
    });
    api = await listenOnEphemeralPort(app.listener);
  });

  afterAll(async () => {
    await api.close();
    redis.disconnect();
  });

  it('serves the file at /openapi.json, with the window maximum of this api', async () => {
    const answer = await request(`${api.baseUrl}/openapi.json`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const served = JSON.parse(answer.text) as typeof OPENAPI_DOCUMENT;
    expect(served.components.parameters.window.schema.maximum).toBe(7200);
    expect({ ...served, components: { ...served.components, parameters: {} } }).toEqual({
      ...OPENAPI_DOCUMENT,
      components: { ...OPENAPI_DOCUMENT.components, parameters: {} },
    });
    expect(served.components.parameters.top).toEqual(OPENAPI_DOCUMENT.components.parameters.top);
  });

  it('serves the reference page and its files from this origin, no CDN', async () => {
    const page = await request(`${api.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(sources.sort()).toEqual([
      '/docs/docs.js',
      '/docs/swagger-ui-bundle.js',
      '/docs/swagger-ui.css',
      '/favicon.svg',
    ]);
    for (const source of sources) {
      const file = await request(`${api.baseUrl}${source}`);
      expect(file.status).toBe(200);
      expect(file.text.length).toBeGreaterThan(100);
      expect(file.text).not.toMatch(/sourceMappingURL/);
    }
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
  });

  it('checks every answer it fetched against the description (the check runs)', async () => {
    const before = await checkedAnswers();
    await request(`${api.baseUrl}/docs/`, { method: 'HEAD' });
    await request(`${api.baseUrl}/nope`);
    await request(`${api.baseUrl}/openapi.json`, { method: 'DELETE' });
    expect(await checkedAnswers()).toBe(before + 3);
  });
});
