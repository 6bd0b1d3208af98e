import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppName, type AppProcess, stopApp } from '@tally/app-processes';
import { createTestRedis, type OwnRedisServer } from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { startFaultsApp } from './processes';

/**
 * What both fault pipelines (FIFO and Redis stream) hold: a redis-server of their own, a temp
 * dir, an admin client, and the processes they started; `dispose()` stops all of it, also
 * after a failed test.
 */
export abstract class OwnRedisPipeline {
  readonly dir: string;
  /** A client on the own server (CLIENT KILL / PAUSE, and reads where a pipeline needs them). */
  readonly admin: Redis;
  private readonly started: AppProcess[] = [];

  protected constructor(
    readonly redis: OwnRedisServer,
    readonly prefix: string,
    dirLabel: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `tally-${dirLabel}-`));
    this.admin = createTestRedis(redis.url);
  }

  /** Starts a built app and remembers it for `dispose()`. */
  protected startApp(app: AppName, env: Record<string, string>): AppProcess {
    return this.own(startFaultsApp(app, env));
  }

  /** Remembers a process started elsewhere for `dispose()`. */
  protected own(proc: AppProcess): AppProcess {
    this.started.push(proc);
    return proc;
  }

  /** Writes `bytes` to a file in the pipeline's temp dir; returns its path. */
  writeFile(name: string, bytes: Buffer): string {
    const path = join(this.dir, name);
    writeFileSync(path, bytes);
    return path;
  }

  /** Stops every process it started (SIGTERM, then SIGKILL), the redis-server, the temp dir. */
  async dispose(): Promise<void> {
    await Promise.all(this.started.map((proc) => stopApp(proc, 'SIGTERM', 5_000)));
    this.admin.disconnect();
    await this.redis.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
