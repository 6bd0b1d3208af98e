import { intBetween, mulberry32, pick } from './prng';

/** One line to write and whether it was made corrupt on purpose. */
export interface GeneratedLine {
  readonly text: string;
  readonly corrupt: boolean;
}

export interface GeneratorOptions {
  /** PRNG seed, 0 to 2^32-1: the same seed and clock give the same lines. */
  readonly seed: number;
  /** Probability, 0 to 1, that a line is corrupt. */
  readonly corruptRatio: number;
  /** Wall clock in ms, for the events' `timestamp` (seconds). */
  readonly nowMs?: () => number;
}

const EVENT_TYPES = ['foo', 'bar', 'baz'] as const;
const WORDS: readonly string[] = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua'
).split(' ');
/** Printable ASCII, space included: garbage that is valid UTF-8 and never holds `\n` or `\r`. */
const GARBAGE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

/**
 * Returns a function producing lines in the blackbox format, e.g.
 * `{ "event_type": "baz", "data": "amet", "timestamp": 1564039783 }`, and with probability
 * `corruptRatio` a corrupt line instead. Corrupt lines are malformed under SPEC §1 and never
 * blank: each starts with `{` and is either
 * - a valid line cut short (it loses its closing `}`, the only `}` in it),
 * - `{ "` and 1 to 8 printable characters, like the blackbox's `{ "Cu*S` (far too short to
 *   hold the three fields even when it parses), or
 * - a whole object whose `timestamp` is a string, which must fail validation, not parsing.
 */
export function createLineGenerator(options: GeneratorOptions): () => GeneratedLine {
  const random = mulberry32(options.seed);
  const nowMs = options.nowMs ?? Date.now;

  const validLine = (): string => {
    const eventType = pick(random, EVENT_TYPES);
    const words = Array.from({ length: intBetween(random, 1, 4) }, () => pick(random, WORDS));
    const timestamp = Math.floor(nowMs() / 1000);
    return `{ "event_type": ${JSON.stringify(eventType)}, "data": ${JSON.stringify(words.join(' '))}, "timestamp": ${timestamp} }`;
  };

  const corruptLine = (): string => {
    const kind = random();
    if (kind < 0.45) {
      const line = validLine();
      return line.slice(0, intBetween(random, 1, line.length - 1));
    }
    if (kind < 0.9) {
      const length = intBetween(random, 1, 8);
      return `{ "${Array.from({ length }, () => pick(random, GARBAGE)).join('')}`;
    }
    return validLine().replace(/"timestamp": (\d+)/, '"timestamp": "$1"');
  };

  return () => {
    const corrupt = random() < options.corruptRatio;
    return { text: corrupt ? corruptLine() : validLine(), corrupt };
  };
}
