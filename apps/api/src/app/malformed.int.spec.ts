import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { listenOnEphemeralPort, request, type RunningHttp } from '../testing/harness';
import { createApp } from './app';
import { SharedReads } from './shared-reads';

const READ_AT = Date.UTC(2026, 11, 8, 0, 0, 0, 123);

describeWithRedis('GET /events/malformed over a real Redis', () => {
  const prefix = uniqueTestPrefix('api-malformed');
  const keys = keyLayout(prefix);
  let redis: Redis;
  let api: RunningHttp;
  let seq = 0;

  async function write(lines: [reason: string, bytes: Buffer][]): Promise<void> {
    const batch = new BatchAggregator();
    for (const [reason, bytes] of lines) {
      batch.addMalformedLine(reason, bytes.subarray(0, 256), bytes.length, READ_AT);
    }
    await commitBatch(
      redis,
      keys,
      batch.take(),
      { ingestId: 'api-malformed', seq: ++seq },
      { retentionSeconds: 3600 },
    );
  }

  beforeAll(async () => {
    redis = createTestRedis();
    const app = createApp({
      redis,
      keys,
      retentionSeconds: 3600,
      logger: pino({ level: 'silent' }),
      sharedReads: new SharedReads({ cacheMs: 0 }),
    });
    api = await listenOnEphemeralPort(app.listener);
  });

  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('answers an empty report before any malformed line', async () => {
    const answer = await request(`${api.baseUrl}/events/malformed`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"byReason":{},"recent":[]}');
  });

  it('answers every reason and the newest samples, exactly and safely', async () => {
    const long = Buffer.concat([Buffer.from('<script>'), Buffer.alloc(2 * 1024 * 1024, 0x78)]);
    await write([
      ['invalid-json', Buffer.from('{ "Cu*S')],
      ['invalid-utf8', Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d])],
    ]);
    await write([
      ['too-long', long],
      ['invalid-json', Buffer.from('<script>alert(1)</script>')],
    ]);
    const answer = await request(`${api.baseUrl}/events/malformed/`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = JSON.parse(answer.text) as { byReason: object; recent: object[] };
    expect(answer.text.startsWith('{"byReason":{"invalid-json":2,')).toBe(true);
    expect(body.byReason).toEqual({ 'invalid-json': 2, 'invalid-utf8': 1, 'too-long': 1 });
    const readAt = new Date(READ_AT).toISOString();
    expect(body.recent).toEqual([
      {
        reason: 'invalid-json',
        readAt,
        bytes: 25,
        truncated: false,
        text: '<script>alert(1)</script>',
        base64: Buffer.from('<script>alert(1)</script>').toString('base64'),
      },
      {
        reason: 'too-long',
        readAt,
        bytes: long.length,
        truncated: true,
        text: `<script>${'x'.repeat(248)}`,
        base64: long.subarray(0, 256).toString('base64'),
      },
      {
        reason: 'invalid-utf8',
        readAt,
        bytes: 5,
        truncated: false,
        text: '{\\xFF\\xFE\\u{0000}}',
        base64: Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]).toString('base64'),
      },
      {
        reason: 'invalid-json',
        readAt,
        bytes: 7,
        truncated: false,
        text: '{ "Cu*S',
        base64: Buffer.from('{ "Cu*S').toString('base64'),
      },
    ]);
  });

  it('leaves out a stored sample that is not a JSON object, and answers the rest', async () => {
    await redis.lpush(keys.malformedRecent, 'not json', '[1]');
    const answer = await request(`${api.baseUrl}/events/malformed`);
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as { recent: unknown[] }).recent).toHaveLength(4);
  });

  it('answers HEAD and refuses other methods with 405', async () => {
    expect((await request(`${api.baseUrl}/events/malformed`, { method: 'HEAD' })).status).toBe(200);
    const post = await request(`${api.baseUrl}/events/malformed`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
