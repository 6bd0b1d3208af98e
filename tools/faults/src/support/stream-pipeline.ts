import { type KeyLayout, keyLayout, readCounts, readStats } from '@tally/aggregation';
import {
  freeLocalPort,
  type OwnRedisServer,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import { type AppProcess, assertRunning } from '@tally/app-processes';
import { eventually } from '@tally/testing';
import { OwnRedisPipeline } from './own-redis-pipeline';
import { pacedCatCommand, scrapeMetrics } from './processes';
import { countDifferences, type Counts } from './reference';

export interface StreamIngest {
  readonly process: AppProcess;
  readonly id: string;
  readonly base: string;
}

/**
 * TRANSPORT=redis-stream under test: a redis-server of its own (the tests cut its connections),
 * any number of built ingest replicas and built producers on one stream, all under a unique
 * KEY_PREFIX. Counts are read with the aggregation lib (the api reads them the same way).
 * `dispose()` stops everything it started, also after a failed test.
 */
export class StreamPipeline extends OwnRedisPipeline {
  readonly keys: KeyLayout;
  readonly ingests: StreamIngest[] = [];

  private constructor(redis: OwnRedisServer, prefix: string) {
    // The admin client here also reads counts, XLEN and pending entries.
    super(redis, prefix, 'streams');
    this.keys = keyLayout(prefix);
  }

  static async start(label: string): Promise<StreamPipeline> {
    const redis = await startOwnRedisServer();
    return new StreamPipeline(redis, uniqueTestPrefix(`streams-${label}`));
  }

  /** Starts a built ingest replica on the stream and waits for its /health to answer. */
  async startIngest(env: Record<string, string> = {}): Promise<StreamIngest> {
    const port = await freeLocalPort();
    const id = `replica-${this.ingests.length + 1}`;
    const proc = this.startApp('ingest', {
      TRANSPORT: 'redis-stream',
      REDIS_URL: this.redis.url,
      KEY_PREFIX: this.prefix,
      INGEST_ID: id,
      HEALTH_PORT: String(port),
      HEALTH_HOST: '127.0.0.1',
      ...env,
    });
    const ingest = { process: proc, id, base: `http://127.0.0.1:${port}` };
    this.ingests.push(ingest);
    await eventually(`ingest ${id} to answer /health`, async () => {
      assertRunning(proc);
      const res = await fetch(`${ingest.base}/health`, { signal: AbortSignal.timeout(2_000) });
      return res.status;
    });
    return ingest;
  }

  /** The built producer forwarding `file` (paced-cat.mjs, 0 = as fast as it goes) to the stream. */
  startProducer(
    file: string,
    linesPerSecond: number,
    env: Record<string, string> = {},
  ): AppProcess {
    const producer = this.startApp('producer', {
      TRANSPORT: 'redis-stream',
      REDIS_URL: this.redis.url,
      KEY_PREFIX: this.prefix,
      GENERATOR_CMD: pacedCatCommand(file, linesPerSecond),
      ...env,
    });
    return producer;
  }

  /** A replica's /metrics as `name{labels}` -> value. */
  metrics(ingest: StreamIngest): Promise<Map<string, number>> {
    return scrapeMetrics(ingest.base);
  }

  async metric(ingest: StreamIngest, name: string): Promise<number> {
    const value = (await this.metrics(ingest)).get(name);
    if (value === undefined) throw new Error(`${ingest.id} /metrics has no ${name}`);
    return value;
  }

  /** Waits until the stored totals reach `expected` and no entry is left unacked. */
  async waitUntilCounted(expected: Counts, timeoutMs = 40_000): Promise<void> {
    const lines = expected.events + expected.malformedLines;
    await eventually(
      `the totals to reach ${lines} lines`,
      async () => {
        const seen = await readStats(this.admin, this.keys);
        if (seen.events + seen.malformedLines < lines) throw new Error(JSON.stringify(seen));
        return true;
      },
      timeoutMs,
    );
    await eventually('every entry to be acked', async () => {
      const [pending] = (await this.admin.xpending(this.keys.stream, 'ingest')) as [number];
      return pending === 0 ? true : undefined;
    });
  }

  /** Differences between the stored counts and `expected` (empty when exact). */
  async differencesFrom(expected: Counts): Promise<string[]> {
    const stats = await readStats(this.admin, this.keys);
    const out: string[] = [];
    if (stats.events !== expected.events || stats.malformedLines !== expected.malformedLines) {
      out.push(
        `stats: got ${JSON.stringify(stats)}, expected ${expected.events}/${expected.malformedLines}`,
      );
    }
    for (const kind of ['types', 'words'] as const) {
      const got = new Map(await readCounts(this.admin, this.keys, kind));
      out.push(...countDifferences(kind, got, expected[kind]));
    }
    return out;
  }
}
