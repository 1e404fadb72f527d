import { sleep } from './time';

/** Exponential backoff: `baseMs`·2^attempt, capped at `maxMs` (attempt counts from 1). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before try `attempt + 1`. */
  delayMs: (attempt: number) => number;
  /** Whether a failure is worth another try; the default retries every failure. */
  retryIf?: (err: unknown) => boolean;
  /** Told about each failure that will be retried, e.g. to log it. */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

/** Runs `what` until it succeeds, it fails in a way `retryIf` refuses, or the attempts are used up. */
export async function retry<T>(what: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what(attempt);
    } catch (err) {
      if (attempt >= options.attempts || (options.retryIf && !options.retryIf(err))) throw err;
      const wait = options.delayMs(attempt);
      options.onRetry?.(err, attempt, wait);
      await sleep(wait);
    }
  }
}
