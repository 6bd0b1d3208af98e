import type { Source, SourceStatus } from '../sources';
import { StatusBoard } from './status';

const connected = () => ({ redisStatus: 'ready', lastRedisError: undefined });

describe('StatusBoard', () => {
  it('says what start-up waits for until a source is attached, then shows the source', () => {
    const board = new StatusBoard('fifo', connected, 'waiting for the lease');
    expect(board.read()).toEqual({
      redisStatus: 'ready',
      lastRedisError: undefined,
      starting: 'waiting for the lease',
      redisFailing: false,
      readerPaused: true,
      heldKeys: 0,
      read: { events: 0, malformedLines: 0, blankLines: 0, outsideWindow: { old: 0, future: 0 } },
      stored: { batches: 0, events: 0, malformedLines: 0, duplicates: 0, failedAttempts: 0 },
      stream: undefined,
    });
    const running: SourceStatus = {
      redisFailing: true,
      lastWriteError: 'boom',
      readerPaused: false,
      heldKeys: 3,
      read: { events: 2, malformedLines: 1, blankLines: 0, outsideWindow: { old: 0, future: 0 } },
      stored: { batches: 1, events: 2, malformedLines: 1, duplicates: 0, failedAttempts: 1 },
    };
    const source: Source = {
      start: () => undefined,
      stop: async () => undefined,
      status: () => running,
    };
    board.attach(source);
    expect(board.read()).toEqual({ redisStatus: 'ready', lastRedisError: undefined, ...running });
  });

  it('has a stream part before the stream source starts, so /metrics has the stream metrics', () => {
    const board = new StatusBoard('redis-stream', connected, 'waiting');
    expect(board.read().stream).toEqual({ acked: 0, claimed: 0, countedElsewhere: 0 });
  });

  it("reads the connection's state afresh every time", () => {
    let state = 'connecting';
    const board = new StatusBoard(
      'fifo',
      () => ({ redisStatus: state, lastRedisError: 'ECONNREFUSED' }),
      'w',
    );
    expect(board.read().redisStatus).toBe('connecting');
    state = 'ready';
    expect(board.read().redisStatus).toBe('ready');
  });
});
