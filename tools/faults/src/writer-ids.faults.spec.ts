import { eventually } from '@tally/testing';
import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { countStream, emptyCounts } from './support/reference';
import { StreamPipeline } from './support/stream-pipeline';
import { joinLines, streamLines } from './support/streams';

/** Short, so that a killed holder's id is free again within the test. */
const LEASE = { ID_LEASE_MS: '1000' };

/** A stream whose lines each carry a word of their own (`<tag><n>`): a lost or doubled line shows. */
function uniqueStream(seed: number, lines: number, tag: string): Buffer {
  return joinLines(streamLines({ seed, lines, uniqueWord: tag }));
}

/** The one stderr line an app refused to start with (pino logs go to stdout). */
function refusal(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describeFaults(
  'fixed INGEST_ID / PRODUCER_ID: restarts go on, two live processes never share an id',
  () => {
    let fifo: FaultPipeline | undefined;
    let streams: StreamPipeline | undefined;

    afterEach(async () => {
      await fifo?.dispose();
      await streams?.dispose();
      fifo = undefined;
      streams = undefined;
    });

    it('FIFO: an ingest restarted with the same INGEST_ID counts the second batch of lines too', async () => {
      fifo = await FaultPipeline.start('fixed-id');
      const p = fifo;
      const first = uniqueStream(21, 1_000, 'a');
      const second = uniqueStream(22, 1_000, 'b');
      const expected = countStream(second, countStream(first));
      await p.startIngest({ INGEST_ID: 'fixed', ...LEASE });
      expect(await p.startProducer(p.writeFile('a.jsonl', first), 0).exited).toBe(0);
      await p.waitUntilStored(countStream(first));
      p.ingest.child.kill('SIGTERM');
      expect(await p.ingest.exited).toBe(0);

      await p.startIngest({ INGEST_ID: 'fixed', ...LEASE });
      expect(await p.startProducer(p.writeFile('b.jsonl', second), 0).exited).toBe(0);
      await p.waitUntilStored(expected);
      expect(await p.differencesFrom(expected)).toEqual([]);
      expect(await p.ingestMetric('ingest_batches_duplicate_total')).toBe(0);
    });

    it("FIFO: a second ingest with a live one's INGEST_ID stops at start with one clear line", async () => {
      fifo = await FaultPipeline.start('two-ids');
      const p = fifo;
      await p.startIngest({ INGEST_ID: 'only-one', ...LEASE });
      const holder = p.ingest;
      const duplicate = await p.startIngest({ INGEST_ID: 'only-one', ...LEASE });
      expect(await duplicate.exited).toBe(1);
      expect(refusal(duplicate.stderr())).toMatch(
        /^ingest: ingest id "only-one" is in use by another running ingest: .*; stop it or set another INGEST_ID$/,
      );
      // The holder never noticed: it still reads and stores.
      expect(holder.running).toBe(true);
      const lines = uniqueStream(23, 500, 'c');
      expect(await p.startProducer(p.writeFile('c.jsonl', lines), 0).exited).toBe(0);
      const expected = countStream(lines);
      await eventually('the holder to store the lines', async () => {
        const stats = await p.stats();
        return stats.events === expected.events ? true : undefined;
      });
      expect(await p.differencesFrom(expected)).toEqual([]);
    });

    it("streams: a SIGKILLed replica's id is taken over after the lease time, and its pending entries are counted once", async () => {
      streams = await StreamPipeline.start('kill-fixed-id');
      const s = streams;
      const stream = uniqueStream(24, 120_000, 'k');
      const expected = countStream(stream);
      // No idle reclaim during the test: the entries come back only through the same id.
      const env = { INGEST_ID: 'pinned', STREAM_CLAIM_IDLE_MS: '600000', ...LEASE };
      const victim = await s.startIngest(env);
      const producer = s.startProducer(s.writeFile('kill.jsonl', stream), 40_000);
      await eventually('the victim to have counted some entries', async () =>
        (await s.metric(victim, 'ingest_stream_entries_acked_total')) > 0 ? true : undefined,
      );
      victim.process.child.kill('SIGKILL');
      await victim.process.exited;
      const killedAt = performance.now();
      const heir = await s.startIngest(env);
      await eventually('the heir to take the id over', async () => {
        const res = await fetch(`${heir.base}/health`);
        return res.status === 200 ? true : undefined;
      });
      const takeoverMs = Math.round(performance.now() - killedAt);
      expect(await producer.exited).toBe(0);
      await s.waitUntilCounted(expected);
      expect(await s.differencesFrom(expected)).toEqual([]);
      expect(heir.process.running).toBe(true);
      report('SIGKILLed replica, same INGEST_ID', { takeoverMs, leaseMs: 1000 });
    });

    it('streams: a producer restarted with the same PRODUCER_ID appends all its lines, and an ingest restarted with the same INGEST_ID acks them all', async () => {
      streams = await StreamPipeline.start('restart-fixed-ids');
      const s = streams;
      const parts = [uniqueStream(25, 20_000, 'p'), uniqueStream(26, 20_000, 'q')];
      const expected = emptyCounts();
      for (const part of parts) countStream(part, expected);
      const ingestEnv = { INGEST_ID: 'same-ingest', ...LEASE };
      let ingest = await s.startIngest(ingestEnv);
      for (const [i, part] of parts.entries()) {
        const producer = s.startProducer(s.writeFile(`part-${i}.jsonl`, part), 0, {
          PRODUCER_ID: 'same-producer',
          ...LEASE,
        });
        expect(await producer.exited).toBe(0);
        // Restart the ingest between the parts, with the same id.
        ingest.process.child.kill('SIGTERM');
        expect(await ingest.process.exited).toBe(0);
        ingest = await s.startIngest(ingestEnv);
      }
      await s.waitUntilCounted(expected);
      expect(await s.differencesFrom(expected)).toEqual([]);
    });

    it("streams: a second producer with a live one's PRODUCER_ID stops at start with one clear line", async () => {
      streams = await StreamPipeline.start('two-producers');
      const s = streams;
      const slow = s.startProducer(s.writeFile('slow.jsonl', uniqueStream(27, 100_000, 's')), 500, {
        PRODUCER_ID: 'one-writer',
        ...LEASE,
      });
      await eventually('the first producer to hold its id', async () =>
        (await s.admin.exists(s.keys.writerLease('producer', 'one-writer'))) === 1
          ? true
          : undefined,
      );
      const second = s.startProducer(s.writeFile('other.jsonl', uniqueStream(28, 10, 'o')), 0, {
        PRODUCER_ID: 'one-writer',
        ...LEASE,
      });
      expect(await second.exited).toBe(1);
      expect(refusal(second.stderr())).toMatch(
        /^producer: producer id "one-writer" is in use by another running producer: .*; stop it or set another PRODUCER_ID$/,
      );
      expect(slow.running).toBe(true);
      slow.child.kill('SIGTERM');
      expect(await slow.exited).toBe(0);
      // A clean stop gives the id back at once (the next producer need not wait for a lapse).
      expect(await s.admin.exists(s.keys.writerLease('producer', 'one-writer'))).toBe(0);
    });
  },
);
