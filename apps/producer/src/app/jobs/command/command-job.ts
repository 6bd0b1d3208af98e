import type { Job, JobDeps } from '../job';
import { CommandSource, exitCodeFor } from './command-source';

/** GENERATOR_CMD: forwards the command's stdout; its exit status decides ours (exitCodeFor). */
export function commandJob(command: string, { logger, output }: JobDeps): Job {
  const source = new CommandSource(command, output);
  return {
    run: async () => {
      const outcome = await source.run();
      const code = exitCodeFor(outcome);
      if (code === 0) logger.info(outcome, 'generator command ended');
      else logger.error(outcome, 'generator command failed');
      return code;
    },
    stop: () => source.stop(),
    progress: () => ({ linesWritten: source.linesForwarded }),
  };
}
