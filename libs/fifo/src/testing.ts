/*
 * Test helpers for code that talks to real FIFOs: the `@tally/fifo/testing` entry point, kept
 * out of the production API (index.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir; remove it with {@link removeTempDir}. */
export function makeTempDir(prefix = 'tally-fifo-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/**
 * Lets the event loop run `turns` times (timers, I/O polling, immediates) so that something
 * that should NOT happen gets every chance to. Used before asserting an absence.
 */
export async function idleTurns(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Width in bytes of a {@link numberedLines} line, `\n` included: 64 lines fill one PIPE_BUF. */
export const NUMBERED_LINE_BYTES = 64;

/**
 * Lines `from … from+count-1` as bytes, each exactly 64 bytes with its `\n`, so pipe reads
 * and atomic writes always fall on line boundaries.
 */
export function numberedLines(from: number, count: number): Buffer {
  const out = Buffer.alloc(count * NUMBERED_LINE_BYTES, 'x');
  for (let i = 0; i < count; i++) {
    const at = i * NUMBERED_LINE_BYTES;
    out.write(`line ${String(from + i).padStart(10, '0')} `, at, 'latin1');
    out[at + NUMBERED_LINE_BYTES - 1] = 0x0a;
  }
  return out;
}

/** The numbers of the {@link numberedLines} in `text` (which must hold whole lines only). */
export function lineNumbers(text: string): number[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('expected whole lines only');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => Number(line.slice(5, 15)));
}

/** Chunks and EOFs collected from a FifoReader's callbacks. */
export class ChunkCollector {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  eofs = 0;
  opens = 0;
  readonly errors: Error[] = [];

  readonly events = {
    onChunk: (chunk: Buffer): void => {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    },
    onEof: (): void => {
      this.eofs++;
    },
    onOpen: (): void => {
      this.opens++;
    },
    onError: (error: Error): void => {
      this.errors.push(error);
    },
  };

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Tracks whether a promise has settled, to assert that one has not (yet). */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}
