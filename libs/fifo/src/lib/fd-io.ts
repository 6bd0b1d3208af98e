import { close, constants, fstat, open, type Stats, write } from 'node:fs';

/*
 * Callback-style fs calls wrapped in promises, on raw file descriptors. Raw fds (rather than
 * fs.promises FileHandles) because the reader hands its fd to net.Socket, which then owns it;
 * a FileHandle would try to close it a second time.
 */

export const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_NOFOLLOW } = constants;

/** open(2). On a FIFO without O_NONBLOCK this waits, in the libuv threadpool, for the other side. */
export function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, flags, (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

/** One write(2) (libuv retries short writes itself); resolves with the bytes the kernel took. */
export function writeFd(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buffer, offset, length, null, (error, written) =>
      error ? reject(error) : resolve(written),
    );
  });
}

export function fstatFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => {
    fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats)));
  });
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    close(fd, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * True when `error` is a Node system error with this errno code (`EPIPE`, `ENOENT`, …).
 * Duck-typed: errors from Node's internals fail `instanceof Error` inside jest's sandbox.
 */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
