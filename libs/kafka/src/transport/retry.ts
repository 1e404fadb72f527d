import { retry } from '@reeltime/runtime';

/**
 * Retries an operation that failed with a retriable Kafka error, e.g. subscribing to a topic that
 * another instance created a moment ago and whose partitions have no leader yet.
 */
export function retryRetriable<T>(what: () => Promise<T>, attempts = 20, delayMs = 250): Promise<T> {
  return retry(what, {
    attempts,
    delayMs: () => delayMs,
    retryIf: (err) => (err as { retriable?: boolean }).retriable === true,
  });
}
