/**
 * Exponential backoff with full jitter: try n waits a uniformly random time in
 * [0, min(cap, base · 2ⁿ)). Spreading the waits over the whole window (rather than base · 2ⁿ plus a
 * little noise) is what keeps many clients that failed together from retrying together — the case
 * of one merchant's writes throttled on its partition, or its transactions meeting on one item.
 */
export interface BackoffPolicy {
  /** The window of the first retry, in ms; each retry doubles it. */
  baseMs: number;
  /** The widest window, in ms. */
  capMs: number;
  /** Runs in all, the first included. */
  attempts: number;
}

/** How long to wait before retry `retry` (1 for the first retry): `random` is uniform in [0, 1). */
export const fullJitterMs = (
  retry: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number => random() * Math.min(policy.capMs, policy.baseMs * 2 ** retry);

export interface BackoffDeps {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const realTime: BackoffDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Runs `run` until it succeeds, fails with an error `retryable` refuses, or has run `attempts`
 * times; the last error is thrown. Only for work that is safe to run again after that error.
 */
export async function retryWithBackoff<T>(
  run: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  policy: BackoffPolicy,
  deps: BackoffDeps = realTime,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= policy.attempts || !retryable(error)) throw error;
      await deps.sleep(fullJitterMs(attempt, policy, deps.random));
    }
  }
}
