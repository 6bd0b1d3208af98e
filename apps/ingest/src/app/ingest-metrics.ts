import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { IngestStatus, StreamStatus } from './health-server';

/**
 * A registry of its own (not prom-client's global one) with the default process metrics and
 * the ingest's counters and gauges. The counters mirror totals the ingest already keeps, so
 * they are set from `status` at scrape time instead of being incremented on the hot path.
 */
export function createIngestRegistry(status: () => IngestStatus): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const mirror = (name: string, help: string, value: (s: IngestStatus) => number) =>
    scrapedCounter(registers, name, help, () => value(status()));
  const gauge = (name: string, help: string, value: (s: IngestStatus) => number) =>
    scrapedGauge(registers, name, help, () => value(status()));

  new Counter({
    name: 'ingest_lines_read_total',
    help: 'Lines read from the FIFO since start, by kind: event, malformed or blank',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      const { read } = status();
      this.reset();
      this.inc({ kind: 'event' }, read.events);
      this.inc({ kind: 'malformed' }, read.malformedLines);
      this.inc({ kind: 'blank' }, read.blankLines);
    },
  });
  new Counter({
    name: 'ingest_events_outside_window_total',
    help: 'Events counted in the totals only (SPEC §3), by reason: old (older than the retention) or future (more than 300 s ahead of this clock)',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      const { outsideWindow } = status().read;
      this.reset();
      this.inc({ reason: 'old' }, outsideWindow.old);
      this.inc({ reason: 'future' }, outsideWindow.future);
    },
  });
  mirror(
    'ingest_events_stored_total',
    'Valid events whose counts are in Redis',
    (s) => s.stored.events,
  );
  mirror(
    'ingest_malformed_lines_stored_total',
    'Malformed lines whose count is in Redis',
    (s) => s.stored.malformedLines,
  );
  mirror('ingest_batches_committed_total', 'Batches written to Redis', (s) => s.stored.batches);
  mirror(
    'ingest_batches_duplicate_total',
    'Retried batches that Redis had already applied (their first reply was lost)',
    (s) => s.stored.duplicates,
  );
  mirror(
    'ingest_commit_failures_total',
    'Failed batch write attempts (each one is retried with the same sequence number)',
    (s) => s.stored.failedAttempts,
  );
  gauge(
    'ingest_held_keys',
    'Distinct keys held in memory, pending and in flight',
    (s) => s.heldKeys,
  );
  gauge(
    'ingest_reader_paused',
    '1 while MAX_PENDING_KEYS keys are held and the FIFO is not read (backpressure)',
    (s) => Number(s.readerPaused),
  );
  gauge('ingest_redis_failing', '1 while batch writes fail and are being retried', (s) =>
    Number(s.redisFailing),
  );
  if (status().stream !== undefined) registerStreamMetrics(registry, status);
  gauge('ingest_redis_connected', '1 while the Redis client is connected and ready', (s) =>
    Number(s.redisStatus === 'ready'),
  );
  return registry;
}

/** TRANSPORT=redis-stream: the group's lag (shared by all replicas) and this replica's work. */
function registerStreamMetrics(registry: Registry, status: () => IngestStatus): void {
  const registers = [registry];
  const stream = (): StreamStatus =>
    status().stream ?? { acked: 0, claimed: 0, countedElsewhere: 0 };
  const counters: [string, string, (s: StreamStatus) => number][] = [
    [
      'ingest_stream_entries_acked_total',
      'Stream entries this replica counted and acked',
      (s) => s.acked,
    ],
    [
      'ingest_stream_entries_claimed_total',
      'Idle entries this replica took over from another consumer',
      (s) => s.claimed,
    ],
    [
      'ingest_stream_entries_counted_elsewhere_total',
      'Entries this replica read that another consumer had counted first',
      (s) => s.countedElsewhere,
    ],
  ];
  for (const [name, help, value] of counters) {
    scrapedCounter(registers, name, help, () => value(stream()));
  }
  // NaN until the first measurement: "unknown" is not "0 behind".
  const gauges: [string, string, (s: StreamStatus) => number | undefined][] = [
    [
      'ingest_stream_length_entries',
      'Entries in the stream (XLEN, after trimming)',
      (s) => s.length,
    ],
    [
      'ingest_stream_pending_entries',
      'Entries read by a consumer of the group and not acked yet',
      (s) => s.pending,
    ],
    [
      'ingest_stream_undelivered_entries',
      'Entries no consumer of the group has read yet (XINFO GROUPS lag)',
      (s) => s.undelivered,
    ],
    [
      'ingest_stream_lag_entries',
      'Entries not counted yet: pending + undelivered',
      (s) =>
        s.pending === undefined || s.undelivered === undefined
          ? undefined
          : s.pending + s.undelivered,
    ],
  ];
  for (const [name, help, value] of gauges) {
    scrapedGauge(registers, name, help, () => value(stream()) ?? Number.NaN);
  }
}

/** A counter that mirrors a total the ingest keeps, read at scrape time (nothing on the hot path). */
function scrapedCounter(registers: Registry[], name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge read at scrape time. */
function scrapedGauge(registers: Registry[], name: string, help: string, read: () => number) {
  return new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}
