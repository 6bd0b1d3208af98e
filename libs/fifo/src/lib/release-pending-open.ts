import { closeFd, openFd } from './fd-io';

const RETRY_INTERVAL_MS = 20;
const GIVE_UP_AFTER_MS = 5_000;

/**
 * Makes a blocking `open(2)` of the FIFO at `path` that is still waiting for its other side
 * return, by briefly being that other side ourselves.
 *
 * Why: the waiting open occupies a libuv threadpool thread inside the kernel, and Node cannot
 * cancel it. While it waits, `process.exit()` hangs (libuv joins its threads at exit) and the
 * event loop never empties. So shutdown must make it return.
 *
 * `peerFlags` is the other side's mode: `O_RDONLY | O_NONBLOCK` releases a pending open for
 * writing (always succeeds on a FIFO); `O_WRONLY | O_NONBLOCK` releases a pending open for
 * reading (fails with ENXIO until that open has actually entered the kernel, so it is retried).
 * The peer fd stays open until `settled` resolves, so a pending open that had not yet reached
 * the kernel when we opened finds us there when it does.
 *
 * @param settled resolves (never rejects) once the pending open has returned and been handled.
 * @throws Error when the open cannot be released within 5 s (the FIFO was removed or replaced
 *   while the open waited on it: nothing can reach the old one by its path any more).
 */
export async function releasePendingOpen(
  path: string,
  peerFlags: number,
  settled: Promise<void>,
): Promise<void> {
  let done = false;
  const whenDone = settled.then(() => {
    done = true;
  });
  const deadline = performance.now() + GIVE_UP_AFTER_MS; // monotonic: immune to clock jumps
  let peer: number | undefined;
  try {
    while (!done && peer === undefined) {
      try {
        peer = await openFd(path, peerFlags);
      } catch (error) {
        if (performance.now() > deadline) {
          throw new Error(`cannot release a pending open of ${path}: ${(error as Error).message}`);
        }
        await Promise.race([whenDone, delay(RETRY_INTERVAL_MS)]);
      }
    }
    await whenDone;
  } finally {
    if (peer !== undefined) await closeFd(peer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
