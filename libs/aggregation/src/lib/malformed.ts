import { MALFORMED_SAMPLE_BYTES } from '@tally/event-schema';
import type { Redis } from 'ioredis';
import type { KeyLayout } from './keys';
import { compareEntries, type CountEntry } from './ranking';

/**
 * Why lines were malformed, kept where an operator can see them: a count per reason and the
 * last MALFORMED_RECENT_MAX samples (a line's first 256 bytes, its reason, when it was read),
 * written by the same script as the batch's counts (apply-batch.lua), so they are exactly as
 * atomic and as exactly-once as the counts. A batch carries at most MALFORMED_RECENT_MAX
 * samples, however many malformed lines it holds: a flood of garbage costs what a trickle does.
 */

/** Samples kept in Redis (`<prefix>:malformed:recent`), newest first; older ones are trimmed. */
export const MALFORMED_RECENT_MAX = 100;

/** One sample as `GET /events/malformed` lists it (stored as this JSON text). */
export interface MalformedSample {
  /** Why the line is malformed (`invalid-json`, `invalid-utf8`, `too-long`, …). */
  readonly reason: string;
  /** When the ingest read it (ISO 8601, UTC, ms). */
  readonly readAt: string;
  /** The line's length in bytes (before `\n`), or, for a `too-long` line, what was read of it. */
  readonly bytes: number;
  /** True when the line is longer than the sample. */
  readonly truncated: boolean;
  /** The sample as safe text: see sampleText. */
  readonly text: string;
  /** The sample's exact bytes. */
  readonly base64: string;
}

/**
 * `bytes` as text that is safe to show anywhere and says exactly what the bytes were: valid
 * UTF-8 stays as it is, except `\` (written `\\`), control characters (U+0000–U+001F,
 * U+007F–U+009F) and invisible or direction-changing ones (U+200B–U+200F, U+2028–U+202E,
 * U+2060–U+2064, U+2066–U+2069, U+FEFF), written `\u{XXXX}`; every byte that is not part of a
 * valid UTF-8 sequence (a cut-off one at the end included) is written `\xNN`. So the text
 * reads back to the bytes, and no byte of it can break a terminal, a log line or a page.
 */
export function sampleText(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      if (b === 0x5c) out += '\\\\';
      else if (b < 0x20 || b === 0x7f) out += `\\u{${hex(b, 4)}}`;
      else out += String.fromCharCode(b);
      i += 1;
      continue;
    }
    const [cp, size] = decodeAt(bytes, i);
    if (cp < 0) {
      out += `\\x${hex(b, 2)}`;
      i += 1;
      continue;
    }
    out += invisible(cp) ? `\\u{${hex(cp, 4)}}` : String.fromCodePoint(cp);
    i += size;
  }
  return out;
}

/** The code point of the UTF-8 sequence at `bytes[i]` and its length, or [-1, 1] if invalid. */
function decodeAt(bytes: Uint8Array, i: number): [number, number] {
  const b = bytes[i] ?? 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const c = bytes[i + k];
    return c !== undefined && c >= lo && c <= hi ? c & 0x3f : -1;
  };
  if (b >= 0xc2 && b <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((b & 0x1f) << 6) | c1, 2];
  }
  if (b >= 0xe0 && b <= 0xef) {
    // E0 needs A0–BF (no overlong form), ED 80–9F (no surrogate).
    const c1 = cont(1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    return c2 < 0 ? [-1, 1] : [((b & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b >= 0xf0 && b <= 0xf4) {
    // F0 needs 90–BF (no overlong form), F4 80–8F (nothing above U+10FFFF).
    const c1 = cont(1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    const c3 = c2 < 0 ? -1 : cont(3);
    return c3 < 0 ? [-1, 1] : [((b & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [-1, 1];
}

function invisible(cp: number): boolean {
  return (
    (cp >= 0x80 && cp <= 0x9f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

interface Slot {
  readonly bytes: Buffer;
  length: number;
  total: number;
  reason: string;
  atMs: number;
}

/**
 * The malformed lines of one batch: a count per reason, and the newest MALFORMED_RECENT_MAX
 * samples in a ring of reused buffers (a malformed line costs one copy of at most 256 bytes,
 * no allocation once the ring is full; the samples are rendered only when the batch is taken).
 */
export class MalformedLog {
  private readonly byReason = new Map<string, number>();
  private readonly slots: Slot[] = [];
  /** Samples held (at most MALFORMED_RECENT_MAX). */
  private used = 0;
  /** Where the next sample goes: once the ring is full, over the oldest one. */
  private next = 0;

  /** Counts one malformed line of `reason` whose first bytes are `head` (`total` in all). */
  add(reason: string, head: Uint8Array, total: number, atMs: number): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    const length = Math.min(head.length, MALFORMED_SAMPLE_BYTES);
    let slot = this.slots[this.next];
    if (slot === undefined) {
      slot = {
        bytes: Buffer.allocUnsafe(MALFORMED_SAMPLE_BYTES),
        length: 0,
        total: 0,
        reason,
        atMs,
      };
      this.slots.push(slot);
    }
    this.used = Math.min(this.used + 1, MALFORMED_RECENT_MAX);
    slot.bytes.set(head.subarray(0, length));
    slot.length = length;
    slot.total = total;
    slot.reason = reason;
    slot.atMs = atMs;
    this.next = (this.next + 1) % MALFORMED_RECENT_MAX;
  }

  /** True when no malformed line was added since the last take. */
  get isEmpty(): boolean {
    return this.byReason.size === 0;
  }

  /**
   * The counts per reason and the samples as JSON texts, oldest first, then empty again (the
   * buffers stay for the next batch).
   */
  take(): { byReason: ReadonlyMap<string, number>; samples: readonly string[] } {
    const byReason = new Map(this.byReason);
    const order =
      this.used === MALFORMED_RECENT_MAX
        ? [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)]
        : this.slots.slice(0, this.used);
    const samples = order.map((slot) => {
      const bytes = slot.bytes.subarray(0, slot.length);
      const sample: MalformedSample = {
        reason: slot.reason,
        readAt: new Date(slot.atMs).toISOString(),
        bytes: slot.total,
        truncated: slot.total > slot.length,
        text: sampleText(bytes),
        base64: bytes.toString('base64'),
      };
      return JSON.stringify(sample);
    });
    this.byReason.clear();
    this.used = 0;
    this.next = 0;
    return { byReason, samples };
  }
}

/** What `GET /events/malformed` shows: the reasons (largest first) and the newest samples. */
export interface MalformedReport {
  /** Every reason with its count, in SPEC §4's count order (descending, ties by key). */
  readonly byReason: readonly CountEntry[];
  /** The newest samples first, as the JSON texts stored (MalformedSample). */
  readonly recent: readonly string[];
}

/** The malformed lines' reasons and newest samples, in one round trip (MULTI: one moment). */
export async function readMalformed(redis: Redis, keys: KeyLayout): Promise<MalformedReport> {
  const replies = await redis
    .multi()
    .hgetall(keys.malformedReasons)
    .lrange(keys.malformedRecent, 0, MALFORMED_RECENT_MAX - 1)
    .exec();
  if (replies === null) throw new Error('readMalformed: the transaction was discarded');
  const [[reasonsError, reasons], [recentError, recent]] = replies as [
    [Error | null, Record<string, string>],
    [Error | null, string[]],
  ];
  if (reasonsError) throw reasonsError;
  if (recentError) throw recentError;
  const byReason: CountEntry[] = Object.entries(reasons).map(([reason, n]) => [reason, Number(n)]);
  byReason.sort(compareEntries);
  return { byReason, recent };
}
