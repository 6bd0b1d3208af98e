import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { keyLayout } from '@tally/aggregation';
import { OpenApiContract } from '@tally/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createApp } from '../app';
import { OPENAPI_DOCUMENT, servedDescription } from './openapi';

const ROOT = join(__dirname, '../../../../..');
const FILE = 'apps/api/src/docs/openapi.json';

describe('the OpenAPI description (src/docs/openapi.json)', () => {
  it('describes exactly the routes the app answers, each as GET only', () => {
    const redis = new Redis({ lazyConnect: true });
    const app = createApp({
      redis,
      keys: keyLayout('openapi-spec'),
      retentionSeconds: 3600,
      logger: pino({ level: 'silent' }),
    });
    app.close();
    redis.disconnect();
    expect([...app.paths].sort()).toEqual(Object.keys(OPENAPI_DOCUMENT.paths).sort());
    for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
      expect([path, Object.keys(item)]).toEqual([path, ['get']]);
    }
  });

  it('passes the maintained linter (@redocly/cli, recommended rules) with no error or warning', () => {
    const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const output = execFileSync(
      process.execPath,
      [cli, 'lint', FILE, '--format=json', '--config', 'redocly.yaml'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const report = JSON.parse(output.slice(output.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { message: string }[];
    };
    expect(report.problems.map((p) => p.message)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 30_000);

  it('is served with the window maximum of the api that serves it', () => {
    const served = JSON.parse(servedDescription(60)) as typeof OPENAPI_DOCUMENT;
    expect(served.components.parameters.window.schema.maximum).toBe(60);
    expect(OPENAPI_DOCUMENT.components.parameters.window.schema.maximum).toBe(3600);
  });
});

describe('the contract check with the real description', () => {
  const contract = new OpenApiContract(OPENAPI_DOCUMENT);
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const validated = { etag: 'W/"5-stats"', vary: 'Accept-Encoding' };
  const read = { ...json, ...validated };

  it.each([
    ['GET', '/events/stats', 200, read, '{"events":5,"malformedLines":3}'],
    ['GET', '/events/stats/', 200, read, '{"events":0,"malformedLines":0}'],
    ['HEAD', '/events/countWords?top=3', 200, read, undefined],
    ['GET', '/events/countWords', 200, { ...read, 'content-encoding': 'br' }, '{"a":1}'],
    ['GET', '/events/countWords', 304, validated, ''],
    ['HEAD', '/events/malformed', 304, validated, undefined],
    ['GET', '/events/countWords?top=0', 400, json, '{"error":"invalid \\"top\\""}'],
    ['GET', '/events/countByEventType', 200, read, '{"foo":3,"baz":2}'],
    ['GET', '/events/countWords', 503, json, '{"error":"redis unavailable: timeout"}'],
    ['GET', '/health', 503, json, '{"status":"unavailable","error":"redis unavailable: x"}'],
    ['GET', '/metrics', 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, '# x'],
    [
      'POST',
      '/events/stats',
      405,
      { ...json, allow: 'GET, HEAD' },
      '{"error":"method not allowed"}',
    ],
    ['GET', '/nope', 404, json, '{"error":"not found: GET /nope"}'],
    ['GET', '/events/live', 200, { 'content-type': 'text/event-stream' }, undefined],
  ])('allows %s %s → %d', (method, url, status, headers, body) => {
    expect(contract.problems({ method, url, status, headers, body })).toEqual([]);
  });

  it.each([
    [
      'a field',
      'GET',
      '/events/stats',
      200,
      read,
      '{"events":5,"malformedLines":3,"x":1}',
      /additional/,
    ],
    ['a missing field', 'GET', '/events/stats', 200, read, '{"events":5}', /malformedLines/],
    ['no ETag', 'GET', '/events/stats', 200, json, '{"events":5,"malformedLines":3}', /ETag/],
    ['a strong ETag', 'GET', '/events/countWords', 200, { ...read, etag: '"5"' }, '{}', /ETag/],
    [
      'another coding',
      'GET',
      '/events/countWords',
      200,
      { ...read, 'content-encoding': 'deflate' },
      '{}',
      /Content-Encoding/,
    ],
    ['a 304 with a body', 'GET', '/events/countWords', 304, validated, '{}', /a body/],
    ['a wrong type', 'GET', '/events/countWords', 200, read, '{"lorem":"2"}', /integer/],
    ['a zero count', 'GET', '/events/countWords', 200, read, '{"lorem":0}', />= 1/],
    ['a status', 'GET', '/events/stats', 418, json, '{"error":"teapot"}', /status 418/],
    ['a 404 on a known path', 'GET', '/health', 404, json, '{"error":"x"}', /status 404/],
    [
      'a content type',
      'GET',
      '/events/stats',
      200,
      { 'content-type': 'text/html' },
      '{}',
      /Content-Type/,
    ],
    ['no content type', 'GET', '/health', 200, {}, '{"status":"ok"}', /no Content-Type/],
    ['a body that is not JSON', 'GET', '/health', 200, json, '<html>', /not JSON/],
    ['a 405 without Allow', 'PUT', '/health', 405, json, '{"error":"x"}', /Allow is missing/],
    ['a wrong Allow', 'PUT', '/health', 405, { ...json, allow: 'GET' }, '{"error":"x"}', /Allow/],
    ['an error without its message', 'GET', '/nope', 404, json, '{"message":"x"}', /error/],
  ])('refuses %s', (_what, method, url, status, headers, body, problem) => {
    const problems = contract.problems({ method, url, status, headers, body });
    expect(problems.join('\n')).toMatch(problem);
  });
});
