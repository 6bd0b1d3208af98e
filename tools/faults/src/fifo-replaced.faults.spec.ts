import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppProcess, stopApp } from '@tally/app-processes';
import { eventually } from '@tally/testing';
import { FifoReader } from '@tally/fifo';
import { describeFaults } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { shellQuote, startFaultsApp } from './support/processes';
import { countStream } from './support/reference';
import { joinLines, streamLines } from './support/streams';

/** pino lines on stdout with this `msg`. */
function logged(proc: AppProcess, msg: string): number {
  return proc
    .stdout()
    .split('\n')
    .filter((line) => line.includes(`"msg":${JSON.stringify(msg)}`)).length;
}

/** Puts a regular file holding `content` at `path` in one step, as `mv` would. */
function replaceWithFile(path: string, content: string): void {
  writeFileSync(`${path}.swap`, content);
  renameSync(`${path}.swap`, path);
}

describe('the producer when FIFO_PATH is replaced by a regular file', () => {
  let dir: string;
  let producer: AppProcess | undefined;
  let reader: FifoReader | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tally-fifo-replaced-'));
  });
  afterEach(async () => {
    await reader?.close();
    if (producer) await stopApp(producer, 'SIGKILL');
    reader = undefined;
    producer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['after its reader went away, before its next write', 'before-write'],
    ['while it waits for the next reader', 'while-waiting'],
  ])(
    'exits 1 with one clear line when it is replaced %s, writing nothing into the file',
    async (_when, moment) => {
      const fifo = join(dir, 'events.fifo');
      const go = join(dir, 'go');
      // One line, then (once the test says go) more lines, then nothing: the producer's only
      // way out is the FIFO check.
      const command = `echo first; while [ ! -e ${shellQuote(go)} ]; do sleep 0.02; done; echo second; echo third; exec sleep 60`;
      producer = startFaultsApp('producer', { FIFO_PATH: fifo, GENERATOR_CMD: command });
      await eventually('the producer to create the FIFO', () =>
        existsSync(fifo) ? true : undefined,
      );
      const chunks: Buffer[] = [];
      const r = new FifoReader(fifo, {
        onChunk: (chunk) => chunks.push(chunk),
        onEof: () => undefined,
        onError: () => undefined,
      });
      reader = r;
      r.start();
      await eventually('the first line', () =>
        Buffer.concat(chunks).toString() === 'first\n' ? true : undefined,
      );
      await r.close(); // the reader goes away
      if (moment === 'before-write') replaceWithFile(fifo, '');
      writeFileSync(go, '');
      if (moment === 'while-waiting') {
        // The next write met EPIPE: the producer now waits for the next reader.
        const p = producer;
        await eventually('the producer to wait for a reader again', () =>
          logged(p, 'waiting for a reader to open the FIFO') === 2 ? true : undefined,
        );
        replaceWithFile(fifo, '');
      }
      expect(await producer.exited).toBe(1);
      expect(producer.stderr()).toBe(
        `producer: the FIFO at ${JSON.stringify(fifo)} was replaced: a regular file is there now, not a FIFO; stopping: FIFO_PATH must stay a FIFO\n`,
      );
      expect(statSync(fifo).size).toBe(0);
      expect(Buffer.concat(chunks).toString()).toBe('first\n');
    },
  );
});

describeFaults('the ingest when FIFO_PATH is replaced by a regular file', () => {
  let pipeline: FaultPipeline | undefined;

  afterEach(async () => {
    await pipeline?.dispose();
    pipeline = undefined;
  });

  it('never counts the file, keeps running and says why, and reads the FIFO that comes back', async () => {
    pipeline = await FaultPipeline.start('fifo-replaced');
    const p = pipeline;
    await p.startIngest();
    const ingest = p.ingest;
    replaceWithFile(
      p.fifo,
      '{"event_type":"from-the-file","data":"never counted","timestamp":1}\n',
    );
    await eventually('the ingest to report the replacement', () =>
      logged(
        ingest,
        'FIFO_PATH is not a FIFO: not reading what is there; retrying until a FIFO is',
      ) >= 2
        ? true
        : undefined,
    );
    expect(ingest.running).toBe(true);
    expect((await p.ingestHealth()).status).toBe(200);

    rmSync(p.fifo); // the producer creates the FIFO again
    const lines = joinLines(streamLines({ seed: 41, lines: 2_000 }));
    const expected = countStream(lines);
    expect(await p.startProducer(p.writeFile('after.jsonl', lines), 0).exited).toBe(0);
    await p.waitUntilStored(expected);
    expect(await p.differencesFrom(expected)).toEqual([]);
  });
});
