import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from '@tally/app-processes';
import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { countStream } from './support/reference';
import { joinLines, streamLines } from './support/streams';

/** Delays after spawn at which the ingest gets SIGTERM, and how often each is tried. */
const DELAYS_MS = [0, 20, 50, 100, 300];
const RUNS_PER_DELAY = 4;
/** From this delay on, Node has surely booted and run the app's first line here. */
const BOOTED_BY_MS = 300;

const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeFaults('a stop signal at any moment of start-up', () => {
  let pipeline: FaultPipeline | undefined;

  afterAll(async () => {
    await pipeline?.dispose();
  });

  it.each(['ingest', 'producer', 'api'])(
    'the built %s catches SIGTERM and SIGINT before it loads its first heavy module',
    (app) => {
      const probe = join(__dirname, 'support', 'first-module-probe.cjs');
      const main = join(workspaceRoot, 'dist', 'apps', app, 'main.js');
      const run = spawnSync(process.execPath, ['-r', probe, main], {
        encoding: 'utf8',
        timeout: 10_000,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      });
      expect(run.stdout).toMatch(/^PROBE (pino|ioredis|express) SIGTERM=1 SIGINT=1$/m);
    },
  );

  it('ends every ingest stopped during start-up with exit 0 (once Node runs its first line) and loses no line', async () => {
    pipeline = await FaultPipeline.start('startup-signals');
    const p = pipeline;
    const lines = 60_000;
    const stream = joinLines(streamLines({ seed: 31, lines, uniqueWord: 's' }));
    const expected = countStream(stream);
    // The writer waits on the FIFO (no reader yet), then feeds whichever ingest opens it: paced
    // so that it outlives the loop below (the ingests that run 300 ms read a few thousand lines
    // each, more on a loaded machine), and the last ingest still has lines to read.
    const producer = p.startProducer(p.writeFile('startup.jsonl', stream), 5_000);
    const outcomes: Record<number, (number | string)[]> = {};
    for (const delay of DELAYS_MS) {
      outcomes[delay] = [];
      for (let run = 0; run < RUNS_PER_DELAY; run++) {
        const ingest = await p.spawnIngest();
        await waitMs(delay); // the fault: a signal at this moment, not a synchronization
        ingest.child.kill('SIGTERM');
        const exit = await ingest.exited;
        outcomes[delay].push(exit);
        // Before Node has run a line of the app, the default action is all there is.
        if (delay >= BOOTED_BY_MS) expect(exit).toBe(0);
        else expect([0, 'SIGTERM']).toContain(exit);
      }
    }
    expect(producer.running).toBe(true);
    await p.startIngest();
    expect(await producer.exited).toBe(0);
    await p.waitUntilStored(expected);
    expect(await p.differencesFrom(expected)).toEqual([]);
    report('SIGTERM during start-up', { lines, outcomesByDelayMs: outcomes });
  });
});
