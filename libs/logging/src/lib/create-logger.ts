import { type Env, SettingError } from '@tally/settings';
import { type DestinationStream, type Logger, pino } from 'pino';
import { readLogFormat } from './log-format';

export interface CreateLoggerOptions {
  /**
   * JSON lines are written synchronously: no line is lost or reordered at `process.exit`
   * (the api's choice; it logs state changes, not requests). Otherwise pino's asynchronous
   * stdout, flushed at exit. Pretty output always goes through pino-pretty's worker thread.
   * @default false
   */
  readonly sync?: boolean;
  /** Where the lines go: a file descriptor or a file path. @default 1 (stdout) */
  readonly dest?: number | string;
}

/**
 * The root logger of `app`: every line carries `app`, in the format LOG_FORMAT names
 * (readLogFormat). Call it before any socket or FIFO is opened, inside `loadConfigOrExit`, so
 * that a bad LOG_FORMAT stops the app with one line.
 * @throws SettingError when LOG_FORMAT is invalid, or is `pretty` where pino-pretty (a
 *   devDependency, absent from production installs) cannot be found
 */
export function createLogger(app: string, env: Env, options: CreateLoggerOptions = {}): Logger {
  const dest = options.dest ?? 1;
  const stream =
    readLogFormat(env) === 'pretty'
      ? prettyStream(dest)
      : pino.destination({ dest, sync: options.sync ?? false });
  return pino({ base: { app } }, stream);
}

/**
 * pino-pretty as a transport (a worker thread that pino starts by package name), found from
 * `callers` (default: this file, i.e. the app's bundle in dist/). pino-pretty is never bundled
 * and never a production dependency: without it, `pretty` is an invalid setting here.
 * Colours follow pino-pretty's own rule (FORCE_COLOR, NO_COLOR, whether fd 1 is a TTY).
 */
export function prettyStream(dest: number | string, callers?: string[]): DestinationStream {
  try {
    return pino.transport({
      target: 'pino-pretty',
      ...(callers && { caller: callers }),
      options: {
        destination: dest,
        // One line per entry: the fields follow the message as JSON, so lines from several
        // apps interleave without breaking up. The app is named by `npm start`'s prefix.
        singleLine: true,
        ignore: 'pid,hostname,app',
        translateTime: 'SYS:HH:MM:ss.l',
        sync: true,
      },
    });
  } catch (error) {
    // pino throws `unable to determine transport target for "pino-pretty"`.
    if (error instanceof Error && error.message.includes('unable to determine transport target')) {
      throw new SettingError(
        'LOG_FORMAT',
        'pretty',
        'expected json: pretty needs the pino-pretty package, a devDependency that is not installed here',
      );
    }
    throw error;
  }
}
