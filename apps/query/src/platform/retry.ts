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

/**
 * Runs `start` until it succeeds or `stop()` is called, waiting 1 s, 2 s, 4 s … (at most 30 s) between
 * attempts. For the query service's Kafka readers: REST answers do not need Kafka (only caching does),
 * so a broker that is down or restarting at start-up delays them instead of stopping the service.
 */
export class StartRetrier {
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly onFailure: (err: unknown, attempt: number, retryInMs: number) => void,
    private readonly maxDelayMs = 30_000,
  ) {}

  async run(start: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await start();
        return true;
      } catch (err) {
        if (this.stopped) break;
        const delay = Math.min(this.maxDelayMs, 1000 * 2 ** (attempt - 1));
        this.onFailure(err, attempt, delay);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return false;
  }

  /** Ends the loop (an attempt under way finishes first; no further attempt starts). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
