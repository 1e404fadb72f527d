/** Wall-clock time in epoch milliseconds; injected wherever time decides something, so tests can fix it. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/**
 * Resolves after `ms`. `unref`: the timer does not keep the process alive (for waits inside a library
 * that must not delay a shutdown).
 */
export function sleep(ms: number, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    if (options.unref) timer.unref();
  });
}
