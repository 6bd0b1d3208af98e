import type { StopSignal, StopSignals } from './stop-signals';

export interface LifecycleOptions {
  readonly signals: StopSignals;
  /** Ends the process with `code` once everything is stopped (flush the logs first). */
  readonly exit: (code: number) => void;
  /** A stop begins: `phase` says whether start-up had finished (for a log line). */
  readonly onStop?: (signal: StopSignal, phase: 'starting' | 'running') => void;
  /** A further signal while stopping (the default ignores it). */
  readonly onRepeat?: (signal: StopSignal) => void;
  /** A clean-up step failed (it is logged; the others still run). */
  readonly onCleanupError?: (error: unknown) => void;
}

type Phase = 'starting' | 'running' | 'stopping';

/**
 * A process's start-up and stop, so that SIGTERM/SIGINT at any moment ends it with exit 0
 * and nothing lost (SPEC §5):
 * - during start-up, each step is awaited through `during`: a stop signal abandons the step
 *   (it never resolves; `abortSignal` tells steps that can stop early), undoes what the steps
 *   before it set up (`defer`, newest first) and exits 0: nothing was read yet;
 * - once `running(stop)` is called, a stop signal runs `stop` (which finishes and stores the
 *   work in hand), then the deferred clean-ups, then exits 0 (1 when `stop` failed);
 * - `finish(code)` ends the process the same way when the work ends by itself, `fail` when
 *   the process must stop at once (its work cannot be stored).
 */
export class Lifecycle {
  private phase: Phase = 'starting';
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private stopWork: (() => Promise<void>) | undefined;
  private readonly controller = new AbortController();
  private ending: Promise<void> | undefined;

  constructor(private readonly options: LifecycleOptions) {
    options.signals.listen((signal, count) => {
      if (count > 1 || this.phase === 'stopping') {
        options.onRepeat?.(signal);
        return;
      }
      this.options.onStop?.(signal, this.phase === 'running' ? 'running' : 'starting');
      void this.end(0, true);
    });
  }

  /** Aborted when a stop begins during start-up: for steps that can give up early. */
  get abortSignal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once a stop (or finish, or fail) has begun. */
  get stopping(): boolean {
    return this.phase === 'stopping';
  }

  /**
   * Registers what undoes a start-up step (close a server, quit a client, release a lease);
   * run newest first when the process ends. Registered while stopping: run at once.
   */
  defer(cleanup: () => Promise<void> | void): void {
    if (this.phase === 'stopping') {
      void Promise.resolve()
        .then(cleanup)
        .catch((error) => this.options.onCleanupError?.(error));
      return;
    }
    this.cleanups.push(cleanup);
  }

  /**
   * `work`'s outcome, unless a stop begins first: then the returned promise never settles
   * (start-up goes no further) and the process ends as the stop says.
   */
  during<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      work.then(
        (value) => {
          if (this.phase !== 'stopping') resolve(value);
        },
        (error: unknown) => {
          if (this.phase !== 'stopping') reject(error);
        },
      );
    });
  }

  /** Start-up is done: from now on a stop signal runs `stop` before the clean-ups. */
  running(stop: () => Promise<void>): void {
    if (this.phase === 'stopping') return;
    this.phase = 'running';
    this.stopWork = stop;
  }

  /** The work ended by itself: clean up and exit with `code`. */
  finish(code: number): Promise<void> {
    return this.end(code, false);
  }

  /** The process cannot go on (its work cannot be stored): clean up, skip `stop`, exit `code`. */
  fail(code: number): Promise<void> {
    this.stopWork = undefined;
    return this.end(code, false);
  }

  private end(code: number, runStop: boolean): Promise<void> {
    this.ending ??= this.runEnd(code, runStop);
    return this.ending;
  }

  private async runEnd(code: number, runStop: boolean): Promise<void> {
    const stop = runStop ? this.stopWork : undefined;
    this.phase = 'stopping';
    this.controller.abort(new Error('stop requested'));
    let exitCode = code;
    if (stop !== undefined) {
      try {
        await stop();
      } catch (error) {
        this.options.onCleanupError?.(error);
        exitCode = 1;
      }
    }
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        this.options.onCleanupError?.(error);
      }
    }
    this.options.exit(exitCode);
  }
}
