/**
 * Line parsing throughput, in one run over the same generated blackbox-format buffer (LINES
 * lines, a CORRUPT share of them corrupt the way apps/producer makes them), with no I/O:
 *  - bare: split at `\n` and JSON.parse each line (the floor issue #5 measures the ingest by);
 *  - reference: split, then referenceParseEventLine (decode + JSON.parse + field checks);
 *  - parseEventLine: split, then the library's parser (byte scanner, reference as fallback);
 *  - LineSplitter + parseEventLine: the ingest's path, the buffer fed in 64 KiB chunks;
 *  - ... + parseEventLineAt / parseEventFieldsAt: scanned in place (the latter leaves `data`
 *    in the bytes), then the same two with the words found as well: forEachWord on the data
 *    string (the ingest before issue 15) and forEachWordInUtf8 on the bytes (the ingest now).
 *
 *   npx nx run bench:parse
 *   LINES=5000000 ROUNDS=7 npx nx run bench:parse
 *
 * Env: LINES (2,000,000), CORRUPT (0.01), ROUNDS (5; variants take turns each round).
 * Prints one line per variant: the median and best lines/s over the rounds, and what it found
 * (events and malformed lines, which must agree between the parsers; for the bare loop, lines
 * JSON.parse read or threw on).
 */
import {
  createEventFields,
  LineSplitter,
  parseEventFieldsAt,
  parseEventLine,
  parseEventLineAt,
  type ParsedLine,
} from '@tally/event-schema';
import { referenceParseEventLine } from '@tally/event-schema/testing';
import { forEachWord, forEachWordInUtf8 } from '@tally/tokenizer';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const LINES = env('LINES', 2_000_000);
const CORRUPT = env('CORRUPT', 0.01);
const ROUNDS = env('ROUNDS', 5);
const CHUNK_BYTES = 65_536;
const LF = 0x0a;

/** mulberry32, as apps/producer uses: the same buffer on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Lines shaped like apps/producer's generator: the blackbox format and its corrupt forms. */
function generateStream(lines: number): Buffer {
  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const types = ['foo', 'bar', 'baz'];
  const words = (
    'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ' +
    'ut labore et dolore magna aliqua'
  ).split(' ');
  const now = Math.floor(Date.now() / 1000);
  const valid = () => {
    const data = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(words));
    const timestamp = now - Math.floor(random() * 3600);
    return `{ "event_type": "${pick(types)}", "data": "${data.join(' ')}", "timestamp": ${timestamp} }`;
  };
  const corrupt = () => {
    const kind = random();
    if (kind < 0.45) {
      const line = valid();
      return line.slice(0, 1 + Math.floor(random() * (line.length - 2)));
    }
    if (kind < 0.9) {
      const garbage = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
        String.fromCharCode(0x20 + Math.floor(random() * 0x5f)),
      );
      return `{ "${garbage.join('')}`;
    }
    return valid().replace(/"timestamp": (\d+)/, '"timestamp": "$1"');
  };
  const text: string[] = [];
  for (let i = 0; i < lines; i++) text.push(random() < CORRUPT ? corrupt() : valid());
  return Buffer.from(text.join('\n') + '\n');
}

interface Tally {
  /** Valid events (for the bare loop: lines JSON.parse read). */
  events: number;
  /** Malformed lines (for the bare loop: lines JSON.parse threw on). */
  malformed: number;
  /** Summed so that no result can be optimized away. */
  checksum: number;
}

function newTally(): Tally {
  return { events: 0, malformed: 0, checksum: 0 };
}

function count(tally: Tally, parsed: ParsedLine): void {
  if (parsed.kind === 'event') {
    tally.events++;
    tally.checksum += parsed.event.eventType.length + parsed.event.data.length;
  } else if (parsed.kind === 'malformed') {
    tally.malformed++;
  }
}

function eachLine(stream: Buffer, visit: (line: Buffer) => void): void {
  let start = 0;
  for (let lf = stream.indexOf(LF); lf !== -1; lf = stream.indexOf(LF, start)) {
    visit(stream.subarray(start, lf));
    start = lf + 1;
  }
}

const variants: Array<[string, (stream: Buffer) => Tally]> = [
  [
    'bare split + JSON.parse',
    (stream) => {
      const tally = newTally();
      eachLine(stream, (line) => {
        try {
          const value: unknown = JSON.parse(line.toString('utf8'));
          tally.events++;
          tally.checksum += typeof value === 'object' ? 1 : 0;
        } catch {
          tally.malformed++; // what the floor pays for a corrupt line: the thrown SyntaxError
        }
      });
      return tally;
    },
  ],
  [
    'split + referenceParseEventLine',
    (stream) => {
      const tally = newTally();
      eachLine(stream, (line) => count(tally, referenceParseEventLine(line)));
      return tally;
    },
  ],
  [
    'split + parseEventLine',
    (stream) => {
      const tally = newTally();
      eachLine(stream, (line) => count(tally, parseEventLine(line)));
      return tally;
    },
  ],
  [
    'LineSplitter + parseEventLine',
    (stream) => {
      const tally = newTally();
      const splitter = new LineSplitter({
        line: (line) => count(tally, parseEventLine(line)),
        oversize: () => tally.malformed++,
      });
      for (let at = 0; at < stream.length; at += CHUNK_BYTES) {
        splitter.push(stream.subarray(at, at + CHUNK_BYTES));
      }
      splitter.end();
      return tally;
    },
  ],
  [
    'LineSplitter + parseEventLineAt',
    (stream) => {
      // The ingest's path: each line scanned in place in its chunk, no Buffer view per line.
      const tally = newTally();
      const splitter = new LineSplitter({
        line: (line) => count(tally, parseEventLine(line)),
        lineAt: (bytes, start, end) => count(tally, parseEventLineAt(bytes, start, end)),
        oversize: () => tally.malformed++,
      });
      for (let at = 0; at < stream.length; at += CHUNK_BYTES) {
        splitter.push(stream.subarray(at, at + CHUNK_BYTES));
      }
      splitter.end();
      return tally;
    },
  ],
  [
    'LineSplitter + parseEventFieldsAt',
    (stream) => {
      const tally = newTally();
      const fields = createEventFields();
      const splitter = new LineSplitter({
        line: (line) => count(tally, parseEventLine(line)),
        lineAt: (bytes, start, end) => {
          const parsed = parseEventFieldsAt(bytes, start, end, fields);
          if (parsed !== null) return count(tally, parsed);
          tally.events++;
          tally.checksum += fields.eventType.length + (fields.dataEnd - fields.dataStart);
        },
        oversize: () => tally.malformed++,
      });
      for (let at = 0; at < stream.length; at += CHUNK_BYTES) {
        splitter.push(stream.subarray(at, at + CHUNK_BYTES));
      }
      splitter.end();
      return tally;
    },
  ],
  [
    '... parseEventLineAt + forEachWord',
    (stream) => {
      const tally = newTally();
      const addWord = (word: string) => (tally.checksum += word.length);
      const splitter = new LineSplitter({
        line: (line) => count(tally, parseEventLine(line)),
        lineAt: (bytes, start, end) => {
          const parsed = parseEventLineAt(bytes, start, end);
          count(tally, parsed);
          if (parsed.kind === 'event') forEachWord(parsed.event.data, addWord);
        },
        oversize: () => tally.malformed++,
      });
      for (let at = 0; at < stream.length; at += CHUNK_BYTES) {
        splitter.push(stream.subarray(at, at + CHUNK_BYTES));
      }
      splitter.end();
      return tally;
    },
  ],
  [
    '... parseEventFieldsAt + forEachWordInUtf8',
    (stream) => {
      const tally = newTally();
      const fields = createEventFields();
      const addWord = (word: string) => (tally.checksum += word.length);
      const splitter = new LineSplitter({
        line: (line) => count(tally, parseEventLine(line)),
        lineAt: (bytes, start, end) => {
          const parsed = parseEventFieldsAt(bytes, start, end, fields);
          if (parsed !== null) return count(tally, parsed);
          tally.events++;
          if (fields.data !== null) forEachWord(fields.data, addWord);
          else forEachWordInUtf8(bytes, fields.dataStart, fields.dataEnd, addWord);
        },
        oversize: () => tally.malformed++,
      });
      for (let at = 0; at < stream.length; at += CHUNK_BYTES) {
        splitter.push(stream.subarray(at, at + CHUNK_BYTES));
      }
      splitter.end();
      return tally;
    },
  ],
];

function main(): void {
  const stream = generateStream(LINES);
  console.log(
    `${LINES} lines, ${(stream.length / 2 ** 20).toFixed(1)} MiB, corrupt share ${CORRUPT}, ` +
      `${ROUNDS} rounds, node ${process.version}`,
  );
  const rates = variants.map((): number[] => []);
  const tallies: Tally[] = variants.map(newTally);
  for (let round = 0; round < ROUNDS; round++) {
    variants.forEach(([, run], v) => {
      const t0 = process.hrtime.bigint();
      tallies[v] = run(stream);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      rates[v].push(LINES / seconds);
    });
  }
  const perSecond = (n: number) => `${(n / 1e6).toFixed(2)}M lines/s`;
  variants.forEach(([name], v) => {
    const sorted = [...rates[v]].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const { events, malformed } = tallies[v];
    console.log(
      `${name.padEnd(42)} median ${perSecond(median).padStart(16)}  best ${perSecond(sorted[sorted.length - 1]).padStart(16)}  ` +
        `events ${events} malformed ${malformed}`,
    );
  });
}

main();
