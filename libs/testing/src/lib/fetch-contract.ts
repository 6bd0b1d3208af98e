import type { Exchange, OpenApiContract } from './openapi-contract';

/**
 * Every answer a test receives from a watched origin, checked against an OpenAPI description:
 * `installContractCheck` wraps the global `fetch` (the body is read from a clone, so the test
 * reads its own) and fails each test that received an answer the description does not allow.
 * Origins are watched by whoever starts the server (`watchOrigin`); answers from anything else
 * (another app's health port, say) are not checked. One state per test file (jest module
 * registry).
 */
interface State {
  readonly contract: OpenApiContract;
  readonly origins: Set<string>;
  readonly pending: Set<Promise<void>>;
  readonly problems: string[];
  checked: number;
}

let state: State | undefined;
/** Origins watched before the check was installed (a server started in a beforeAll). */
const early = new Set<string>();

/** Checks the answers from `origin` (`http://127.0.0.1:5000`) from now on, when installed. */
export function watchOrigin(origin: string): void {
  const normalized = new URL(origin).origin;
  if (state === undefined) early.add(normalized);
  else state.origins.add(normalized);
}

/**
 * Checks one answer a test read by other means than `fetch` (a raw socket), when the check is
 * installed; a problem fails the running test.
 */
export function checkAnswer(exchange: Exchange): void {
  if (state === undefined) return;
  state.checked += 1;
  state.problems.push(...state.contract.problems(exchange));
}

/**
 * Answers checked so far in this test file, once every answer in flight is checked (for a test
 * that the check really runs).
 */
export async function checkedAnswers(): Promise<number> {
  if (state === undefined) return 0;
  await Promise.all(state.pending);
  return state.checked;
}

/**
 * Wraps `fetch` and adds an `afterEach` that fails the test with every problem of the answers
 * it received. Call once, from a jest `setupFilesAfterEnv` file.
 */
export function installContractCheck(contract: OpenApiContract): void {
  if (state !== undefined) return;
  const current: State = {
    contract,
    origins: new Set(early),
    pending: new Set(),
    problems: [],
    checked: 0,
  };
  state = current;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const res = await original(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (current.origins.has(url.origin)) {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const check = checkFetched(current, method, `${url.pathname}${url.search}`, res);
      current.pending.add(check);
      void check.finally(() => current.pending.delete(check));
    }
    return res;
  };
  afterEach(async () => {
    await Promise.all(current.pending);
    const problems = current.problems.splice(0);
    if (problems.length > 0) {
      throw new Error(
        `answers the OpenAPI description does not allow:\n  ${problems.join('\n  ')}`,
      );
    }
  });
}

/** Checks `res`; its body from a clone, unless it is a stream that lasts (SSE). */
async function checkFetched(
  current: State,
  method: string,
  url: string,
  res: Response,
): Promise<void> {
  const streams = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  let body: string | undefined;
  if (!streams) {
    try {
      body = await res.clone().text();
    } catch {
      return; // the test aborted the request: nothing whole to check
    }
  }
  current.checked += 1;
  current.problems.push(
    ...current.contract.problems({ method, url, status: res.status, headers: res.headers, body }),
  );
}
