import { join } from 'node:path';
import {
  freeLocalPort,
  type OwnRedisServer,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import { type AppProcess, assertRunning } from '@tally/app-processes';
import { eventually } from '@tally/testing';
import { OwnRedisPipeline } from './own-redis-pipeline';
import { pacedCatCommand, scrapeMetrics, startFaultsApp } from './processes';
import { countDifferences, type Counts } from './reference';

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly ms: number;
}

export interface Stats {
  events: number;
  malformedLines: number;
}

/**
 * One fault-test pipeline: a redis-server of its own (which the test may kill, pause and
 * restart), a FIFO in a temp dir, the built api, and built ingests and producers started on
 * demand, all under a unique KEY_PREFIX. It sees the counts only through the api's public
 * HTTP endpoints, never through key names. `dispose()` stops everything it started, also
 * after a failed test.
 */
export class FaultPipeline extends OwnRedisPipeline {
  readonly fifo: string;
  private ingestProcess: AppProcess | undefined;
  private ingestBase = '';

  private constructor(
    redis: OwnRedisServer,
    readonly api: AppProcess,
    readonly apiBase: string,
    prefix: string,
  ) {
    // The admin client is for CLIENT KILL / CLIENT PAUSE here, not for reading counts.
    super(redis, prefix, 'faults');
    this.fifo = join(this.dir, 'events.fifo');
    this.own(api);
  }

  /**
   * Starts the own redis-server and the api, and waits until the api is healthy.
   * `apiNodeOptions` becomes the api's NODE_OPTIONS (unset otherwise).
   */
  static async start(
    label: string,
    options: { appendonly?: boolean; apiNodeOptions?: string } = {},
  ) {
    const redis = await startOwnRedisServer({ appendonly: options.appendonly ?? false });
    const port = await freeLocalPort();
    const prefix = uniqueTestPrefix(`faults-${label}`);
    const api = startFaultsApp('api', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.apiNodeOptions ? { NODE_OPTIONS: options.apiNodeOptions } : {}),
    });
    const pipeline = new FaultPipeline(redis, api, `http://127.0.0.1:${port}`, prefix);
    try {
      await eventually('the api to be healthy', async () =>
        (await pipeline.get(pipeline.apiBase, '/health')).status === 200 ? true : undefined,
      );
    } catch (error) {
      await pipeline.dispose();
      throw error;
    }
    return pipeline;
  }

  /** The ingest running now (the last one started). */
  get ingest(): AppProcess {
    if (this.ingestProcess === undefined) throw new Error('no ingest started');
    return this.ingestProcess;
  }

  /**
   * Starts a built ingest on the FIFO with its own HEALTH_PORT. `env` adds or overrides
   * settings (REDIS_URL to go through a proxy, MAX_PENDING_KEYS…). Waits for its /health to
   * answer at all (200 or 503), not for Redis.
   */
  async startIngest(env: Record<string, string> = {}): Promise<AppProcess> {
    const ingest = await this.spawnIngest(env);
    await eventually(`ingest ${ingest.pid} to answer /health`, async () => {
      assertRunning(ingest);
      return (await this.get(this.ingestBase, '/health')).status;
    });
    return ingest;
  }

  /** As startIngest, but resolves the moment the process is spawned (start-up faults). */
  async spawnIngest(env: Record<string, string> = {}): Promise<AppProcess> {
    const healthPort = await freeLocalPort();
    const ingest = this.startApp('ingest', {
      REDIS_URL: this.redis.url,
      KEY_PREFIX: this.prefix,
      FIFO_PATH: this.fifo,
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
      ...env,
    });
    this.ingestProcess = ingest;
    this.ingestBase = `http://127.0.0.1:${healthPort}`;
    return ingest;
  }

  /**
   * Starts the built producer forwarding `file` at `linesPerSecond` (paced-cat.mjs as its
   * GENERATOR_CMD), so the real producer and its FifoWriter write the lines.
   */
  startProducer(file: string, linesPerSecond: number): AppProcess {
    const producer = this.startApp('producer', {
      FIFO_PATH: this.fifo,
      GENERATOR_CMD: pacedCatCommand(file, linesPerSecond),
    });
    return producer;
  }

  async get(base: string, path: string, timeoutMs = 5_000): Promise<HttpAnswer> {
    const startedAt = Date.now();
    const res = await fetch(base + path, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as unknown, ms: Date.now() - startedAt };
  }

  /** A GET to the api; throws GiveUp (no retry) when the api is not running. */
  apiGet(path: string): Promise<HttpAnswer> {
    assertRunning(this.api);
    return this.get(this.apiBase, path);
  }

  /** The current ingest's /health; throws GiveUp (no retry) when it is not running. */
  ingestHealth(): Promise<HttpAnswer> {
    assertRunning(this.ingest);
    return this.get(this.ingestBase, '/health');
  }

  /** The current ingest's /metrics as `name{labels}` -> value. */
  async ingestMetrics(): Promise<Map<string, number>> {
    assertRunning(this.ingest);
    return scrapeMetrics(this.ingestBase);
  }

  async ingestMetric(name: string): Promise<number> {
    const value = (await this.ingestMetrics()).get(name);
    if (value === undefined) throw new Error(`ingest /metrics has no ${name}`);
    return value;
  }

  /** Lines the current ingest has read since it started (events, malformed and blank). */
  async ingestLinesRead(): Promise<number> {
    const metrics = await this.ingestMetrics();
    let lines = 0;
    for (const kind of ['event', 'malformed', 'blank']) {
      const value = metrics.get(`ingest_lines_read_total{kind="${kind}"}`);
      if (value === undefined) throw new Error(`ingest /metrics has no ${kind} lines`);
      lines += value;
    }
    return lines;
  }

  /** `/events/stats` (throws unless 200). */
  async stats(): Promise<Stats> {
    const res = await this.apiGet('/events/stats');
    if (res.status !== 200) throw new Error(`/events/stats answered ${res.status}`);
    return res.body as Stats;
  }

  /** Every count of one kind, from the api. */
  async counts(kind: 'types' | 'words'): Promise<Map<string, number>> {
    const path = kind === 'types' ? '/events/countByEventType' : '/events/countWords';
    const res = await this.apiGet(path);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return new Map(Object.entries(res.body as Record<string, number>));
  }

  /**
   * Waits until the api's totals reach `expected` (or pass it: then the comparison fails)
   * and the ingest holds no counts any more, so that every word is stored too.
   */
  async waitUntilStored(expected: Stats, timeoutMs = 30_000): Promise<void> {
    await eventually(
      `the totals to reach ${JSON.stringify(expected)}`,
      async () => {
        const seen = await this.stats();
        if (seen.events + seen.malformedLines < expected.events + expected.malformedLines) {
          throw new Error(`totals so far ${JSON.stringify(seen)}`);
        }
        return true;
      },
      timeoutMs,
    );
    await eventually('the ingest to hold no counts', async () =>
      (await this.ingestMetric('ingest_held_keys')) === 0 ? true : undefined,
    );
  }

  /** The differences between what the api reports and `expected` (empty when exact). */
  async differencesFrom(expected: Counts): Promise<string[]> {
    const stats = await this.stats();
    const out: string[] = [];
    if (stats.events !== expected.events || stats.malformedLines !== expected.malformedLines) {
      out.push(
        `stats: got ${JSON.stringify(stats)}, expected ${JSON.stringify({
          events: expected.events,
          malformedLines: expected.malformedLines,
        })}`,
      );
    }
    out.push(...countDifferences('type', await this.counts('types'), expected.types));
    out.push(...countDifferences('word', await this.counts('words'), expected.words));
    return out;
  }
}
