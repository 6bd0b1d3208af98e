import { DeadlineExceededError } from './errors';

/**
 * `work`, or a rejection with DeadlineExceededError when it has not settled after
 * `deadlineMs`. The work itself is not cancelled (ioredis cannot take a command back); its late
 * result is ignored, and its late rejection stays handled because `Promise.race` listens to it.
 */
export async function withDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(deadlineMs)), deadlineMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
