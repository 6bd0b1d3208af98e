/** An operation did not settle within its deadline (see `withDeadline`). */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  readonly code = 'ERR_DEADLINE_EXCEEDED';

  constructor(readonly deadlineMs: number) {
    super(`no answer within ${deadlineMs} ms`);
  }
}
