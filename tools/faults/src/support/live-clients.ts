import { connect, type Socket } from 'node:net';

const TICK_MARKER = 'event: tick\n';

/** One `/events/live` stream on a raw socket, as a browser, a stuck tab or a hostile client. */
export interface LiveClient {
  /** The status code of the answer, once its head has arrived (reading clients only). */
  status(): number | undefined;
  /** `event: tick` messages received so far (reading clients only). */
  ticks(): number;
  /** Bytes received so far (reading clients only). */
  bytes(): number;
  readonly closed: boolean;
  close(): void;
}

/**
 * Opens `GET /events/live<query>` on `127.0.0.1:port`. A `reading` client takes every byte and
 * counts the ticks (keeping nothing); one that is not reading never reads a byte after
 * connecting, so what the api writes piles up in the kernel and then in the api.
 */
export function openLiveClient(port: number, query: string, reading: boolean): LiveClient {
  const socket: Socket = connect(port, '127.0.0.1');
  let head = '';
  let status: number | undefined;
  let ticks = 0;
  let bytes = 0;
  let closed = false;
  // The last chunk's end, one byte shorter than the marker: a marker split between two chunks
  // is counted once, and none is counted twice.
  let tail = '';
  socket.on('error', () => undefined); // a cut stream is an outcome, not a test failure
  socket.on('close', () => (closed = true));
  socket.write(`GET /events/live${query} HTTP/1.1\r\nHost: faults\r\n\r\n`);
  if (reading) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      bytes += chunk.length;
      if (status === undefined) {
        head += chunk;
        const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
        if (match) status = Number(match[1]);
      }
      const text = tail + chunk;
      ticks += text.split(TICK_MARKER).length - 1;
      tail = text.slice(-(TICK_MARKER.length - 1));
    });
  } else {
    socket.pause();
  }
  return {
    status: () => status,
    ticks: () => ticks,
    bytes: () => bytes,
    get closed() {
      return closed;
    },
    close: () => socket.destroy(),
  };
}
