// The fault tests' event source: writes the lines of a file to stdout at a steady pace, so that
// a stream lasts long enough for faults to hit it mid-way. It runs as the built producer's
// GENERATOR_CMD, so the real producer (and its FifoWriter) puts the lines into the FIFO.
//
//   node paced-cat.mjs <file> <lines per second; 0 = as fast as stdout takes them>
//
// Stdout is a pipe, which Node writes synchronously on Linux: a full pipe blocks this process,
// which is the backpressure. When the producer dies, the next write fails with EPIPE and this
// process ends (it runs in a process group of its own, so nothing else would stop it).
import { readFileSync } from 'node:fs';

const TICK_MS = 10;
const MAX_WRITE_BYTES = 64 * 1024;

const [file, rateText] = process.argv.slice(2);
const rate = Number(rateText);
if (!file || !Number.isInteger(rate) || rate < 0) {
  process.stderr.write('usage: node paced-cat.mjs <file> <lines per second>\n');
  process.exit(2);
}
process.stdout.on('error', (error) => {
  process.stderr.write(`paced-cat: stdout failed (${error.code ?? error.message}); stopping\n`);
  process.exit(error.code === 'EPIPE' ? 0 : 1);
});

const bytes = readFileSync(file);
const startedAt = Date.now();
let offset = 0;
let linesWritten = 0;

/** The offset just after the `count`-th line from `from` (or the end), capped in size. */
function endAfter(from, count) {
  let end = from;
  for (let i = 0; i < count && end < bytes.length && end - from < MAX_WRITE_BYTES; i++) {
    const lf = bytes.indexOf(0x0a, end);
    end = lf === -1 ? bytes.length : lf + 1;
  }
  return end;
}

while (offset < bytes.length) {
  const due =
    rate === 0 ? Infinity : Math.floor(((Date.now() - startedAt) * rate) / 1000) + 1 - linesWritten;
  if (due <= 0) {
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    continue;
  }
  const end = endAfter(offset, due);
  const chunk = bytes.subarray(offset, end);
  let lines = 0;
  for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
  process.stdout.write(chunk);
  offset = end;
  linesWritten += lines;
  // Let a pending 'error' (EPIPE) be delivered between writes.
  await new Promise((resolve) => setImmediate(resolve));
}
