import { EventEmitter } from 'node:events';
import { keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import { Lifecycle, StopSignals } from '@tally/lifecycle';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../../config';
import { createOutput } from '../index';

describeWithRedis('the stream output (real Redis)', () => {
  const prefix = uniqueTestPrefix('stream-output');
  const keys = keyLayout(prefix);
  let admin: Redis;

  beforeAll(() => {
    admin = createTestRedis();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('takes the lease, says where it goes on, appends, and gives the lease back at the end', async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ base: null }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const exitCodes: number[] = [];
    const testLife = () =>
      new Lifecycle({
        signals: new StopSignals(new EventEmitter()),
        exit: (code) => exitCodes.push(code),
      });
    const life = testLife();
    const config = loadConfig({
      TRANSPORT: 'redis-stream',
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: prefix,
      PRODUCER_ID: 'seam',
    });
    const output = await (await createOutput(config, { logger, life })).open();
    await output.write(['{"a":1}', '{"a":2}']);
    await output.close();
    expect((await admin.xrange(keys.stream, '-', '+')).map(([, fields]) => fields[1])).toEqual([
      '{"a":1}\n{"a":2}',
    ]);
    expect(logs.find((line) => line['msg'] === 'stream')).toMatchObject({
      producerId: 'seam',
      continuesAtSeq: 1,
      stream: keys.stream,
      maxLength: 1000,
    });

    await life.finish(0); // quits the client and releases the lease
    expect(exitCodes).toEqual([0]);
    const again = testLife();
    const next = await (await createOutput(config, { logger, life: again })).open();
    await next.close();
    await again.finish(0);
    expect(logs.filter((line) => line['msg'] === 'stream').at(-1)).toMatchObject({
      continuesAtSeq: 2,
    });
    expect(logs.some((line) => line['event'] === 'lease_wait')).toBe(false); // it was free
  });
});
