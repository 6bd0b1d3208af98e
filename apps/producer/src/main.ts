// First: SIGTERM/SIGINT are caught from here on, while the modules below load (tens of ms).
import { stopSignals } from '@tally/lifecycle/process';
import type { Lifecycle } from '@tally/lifecycle';
import { createLogger } from '@tally/logging';
import { loadConfigOrExit } from '@tally/settings';
import { loadConfig } from './app/config';
import { createJob, jobSettings } from './app/jobs';
import { createLifecycle, stopOnFailure } from './app/lifecycle';
import { createOutput } from './app/outputs';
import { logProgressEvery } from './app/progress-log';

const config = loadConfigOrExit('producer', () => loadConfig(process.env));
const logger = loadConfigOrExit('producer', () => createLogger('producer', process.env));

/**
 * Checks the output's setting, says `starting`, opens the output (the stream output waits for
 * its lease), runs the job until it ends or a stop signal comes, and exits with its status.
 */
async function main(life: Lifecycle): Promise<void> {
  const chosen = await createOutput(config, { logger, life });
  logger.info({ ...chosen.target, ...jobSettings(config) }, 'starting');
  const output = await chosen.open();
  const job = createJob(config, { logger, output });
  life.defer(logProgressEvery(logger, job, output));

  const done = (async () => {
    const code = await job.run();
    await output.close();
    return code;
  })();
  life.running(async () => {
    job.stop();
    // Releases a write that waits for a reader. Its outcome is awaited (and reported) below.
    output.close().catch(() => undefined);
    await done;
  });
  const code = await done;
  await life.finish(code);
}

const life = createLifecycle(logger, stopSignals);
main(life).catch((error: unknown) => stopOnFailure(error, logger, life));
