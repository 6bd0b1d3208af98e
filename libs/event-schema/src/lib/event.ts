/**
 * The longest line SPEC §1 accepts, in bytes before the `\n` (a trailing `\r` counts).
 * Lines of exactly this size are valid; one byte more is `too-long`.
 */
export const MAX_LINE_BYTES = 1_048_576;

/** How much of a malformed line is kept as its sample (the first bytes), for operators. */
export const MALFORMED_SAMPLE_BYTES = 256;

/** One valid event of the stream (SPEC §1). */
export interface Event {
  /** 1 to 256 code points, never containing a lone surrogate. */
  eventType: string;
  /** Possibly empty; the tokenizer (SPEC §2) finds the words in it. */
  data: string;
  /** Whole seconds since the Unix epoch: the line's fractional part is dropped. */
  timestamp: number;
}

/** Why a line is malformed; one reason per line, the first rule broken in the order listed. */
export type MalformedReason =
  | 'too-long'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'not-an-object'
  | 'lone-surrogate'
  | 'invalid-event-type'
  | 'invalid-data'
  | 'invalid-timestamp';

/** What one line of the stream turned out to be. */
export type ParsedLine =
  | { kind: 'event'; event: Event }
  | { kind: 'malformed'; reason: MalformedReason }
  | { kind: 'blank' };

/**
 * A valid event as `parseEventFieldsAt` leaves it: `data` still in the line's bytes unless it
 * had to be decoded. The caller reuses one object for every line (each read overwrites it).
 */
export interface EventFields {
  eventType: string;
  /** Whole seconds (floored), >= 0. */
  timestamp: number;
  /** `data` as a string when it was decoded (it held an escape); else null: see dataStart. */
  data: string | null;
  /** When `data` is null: its value is the line buffer's valid UTF-8 `[dataStart, dataEnd)`. */
  dataStart: number;
  dataEnd: number;
  /** True when those bytes are all ASCII (< 0x80). */
  dataAscii: boolean;
}

/** A fresh {@link EventFields} to pass to the readers that fill one. */
export function createEventFields(): EventFields {
  return { eventType: '', timestamp: 0, data: null, dataStart: 0, dataEnd: 0, dataAscii: true };
}
