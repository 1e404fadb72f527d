/**
 * Retries an operation that failed with a retriable Kafka error, e.g. subscribing to a topic that
 * another instance created a moment ago and whose partitions have no leader yet.
 */
export async function retryRetriable<T>(what: () => Promise<T>, attempts = 20, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
