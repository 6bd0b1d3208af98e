/**
 * Deterministic test streams for the fault tests: event lines in the blackbox format, with the
 * nasty keys SPEC §3 names, some malformed and blank lines, and optionally one word per line
 * that no other line has (`<prefix><n>`), so that a lost or doubled line shows in the counts.
 * Every line is far below PIPE_BUF, so a writer killed mid-stream leaves whole lines only.
 */

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. Values in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENT_TYPES = [
  'foo',
  'bar',
  'baz',
  '__proto__',
  'constructor',
  'toString',
  '😀 "q" \\',
  'ünïcode',
  'two words',
];

const NASTY_WORDS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  "don't",
  'don’t',
  'e-mail',
  "rock'n'roll",
  "'quoted'",
  'end-',
  '--',
  'ÜNÏCODE',
  'e\u0301te\u0301', // NFD: counted as "été"
  '日本語',
  'Straße',
  '😀',
  '42',
];

/** ~1,000 distinct words: `w0` … plus the nasty ones, so per-word counts are all different. */
const WORDS = [...Array.from({ length: 1000 }, (_, i) => `w${i.toString(36)}`), ...NASTY_WORDS];

export interface StreamOptions {
  readonly seed: number;
  /** Number of lines, malformed and blank ones included. */
  readonly lines: number;
  /** Share of lines that are malformed (0 to 1). @default 0.03 */
  readonly malformedRatio?: number;
  /** Share of lines that are blank (0 to 1). @default 0.005 */
  readonly blankRatio?: number;
  /** When set, each valid event also holds the word `<uniqueWord><its line number>`. */
  readonly uniqueWord?: string;
  /** Line numbers (for uniqueWord) start here. @default 0 */
  readonly firstNumber?: number;
}

/** The lines of a stream, without their `\n`. */
export function streamLines(options: StreamOptions): Buffer[] {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const malformedRatio = options.malformedRatio ?? 0.03;
  const blankRatio = options.blankRatio ?? 0.005;
  const timestamp = Math.floor(Date.now() / 1000);
  const first = options.firstNumber ?? 0;

  const validLine = (n: number): string => {
    const words = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(WORDS));
    if (options.uniqueWord !== undefined) words.push(`${options.uniqueWord}${first + n}`);
    const separator = pick([' ', ', ', ' -- ', '! ', '\t']);
    const event = { event_type: pick(EVENT_TYPES), data: words.join(separator), timestamp };
    return JSON.stringify(event);
  };

  const lines: Buffer[] = [];
  for (let n = 0; n < options.lines; n++) {
    const roll = random();
    if (roll < blankRatio) {
      lines.push(Buffer.from(pick(['', '  \t', '\r'])));
    } else if (roll < blankRatio + malformedRatio) {
      lines.push(malformedLine(random, validLine(n)));
    } else {
      // One line in 50 ends in CRLF, which is the same event.
      lines.push(Buffer.from(random() < 0.02 ? `${validLine(n)}\r` : validLine(n)));
    }
  }
  return lines;
}

function malformedLine(random: () => number, valid: string): Buffer {
  switch (Math.floor(random() * 6)) {
    case 0:
      return Buffer.from(valid.slice(0, Math.max(1, Math.floor(random() * (valid.length - 1)))));
    case 1:
      return Buffer.from('{ "Cu*S');
    case 2:
      return Buffer.from(valid.replace(/"timestamp":(\d+)/, '"timestamp":"$1"'));
    case 3:
      return Buffer.concat([Buffer.from(valid.slice(0, 20)), Buffer.from([0xff, 0xc0, 0xaf])]);
    case 4:
      return Buffer.from(valid.replace(/"data":"/, '"data":"\\ud800'));
    default:
      return Buffer.from('[1,2,3]');
  }
}

/** The stream as written to the FIFO: every line followed by `\n`. */
export function joinLines(lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  const lf = Buffer.from('\n');
  for (const line of lines) parts.push(line, lf);
  return Buffer.concat(parts);
}
