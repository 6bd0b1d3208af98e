import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { SettingError } from '@tally/settings';
import { type Logger, pino } from 'pino';
import { createLogger, prettyStream } from './create-logger';

/** The stream a logger writes to: ended and closed, so that every line is in the file. */
async function closeLogger(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, NodeJS.WritableStream>)[
    pino.symbols.streamSym
  ];
  if (!stream) throw new Error('logger has no stream');
  const closed = once(stream, 'close');
  stream.end();
  await closed;
}

describe('createLogger', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'logging-'));
    file = join(dir, 'out.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON object per line, naming the app, when LOG_FORMAT is unset', async () => {
    const logger = createLogger('api', {}, { dest: file, sync: true });
    logger.info({ event: 'listening', port: 5000 }, 'api listening');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 30,
      app: 'api',
      event: 'listening',
      port: 5000,
      msg: 'api listening',
    });
    await closeLogger(logger);
  });

  it('writes JSON asynchronously unless told to be synchronous, all of it by the close', async () => {
    const logger = createLogger('ingest', { LOG_FORMAT: 'json' }, { dest: file });
    logger.info('ingest started');
    await closeLogger(logger);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ app: 'ingest' });
  });

  it('writes one pino-pretty line per entry, fields after the message, when LOG_FORMAT=pretty', async () => {
    const logger = createLogger('producer', { LOG_FORMAT: 'pretty' }, { dest: file });
    logger.info({ linesWritten: 14 }, 'progress');
    logger.warn('a second entry');
    await closeLogger(logger);
    // Colours or not is pino-pretty's choice (FORCE_COLOR, NO_COLOR, CI): not tested here.
    const lines = stripVTControlCharacters(readFileSync(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d\d\d\] INFO: progress \{"linesWritten":14\}$/);
    expect(lines[1]).toMatch(/ WARN: a second entry$/);
  });

  it('rejects an invalid LOG_FORMAT before writing anything', () => {
    expect(() => createLogger('api', { LOG_FORMAT: 'yaml' }, { dest: file })).toThrow(
      new SettingError('LOG_FORMAT', 'yaml', 'expected json or pretty'),
    );
  });
});

describe('prettyStream', () => {
  it('is an invalid setting, not a stack trace, where pino-pretty cannot be found', () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'no-pino-pretty-'));
    try {
      let caught: unknown;
      try {
        prettyStream(1, [join(nowhere, 'main.js')]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SettingError);
      expect((caught as SettingError).message).toMatch(
        /^invalid LOG_FORMAT "pretty": expected json: pretty needs the pino-pretty package/,
      );
    } finally {
      rmSync(nowhere, { recursive: true, force: true });
    }
  });
});
