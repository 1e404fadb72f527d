import { retry } from '../../libs/runtime/src'; // relative: jest's global setup loads tools/infra outside its module mapper

/** `done` said no: the one failure pollUntil retries. */
class NotYet extends Error {}

export interface PollOptions {
  /** How long to keep asking; Infinity waits for as long as it takes. */
  timeoutMs: number;
  /** The pause between two questions. */
  everyMs: number;
  /** A line for the user while it goes on: `report` is called at most once per `everyMs`. */
  progress?: { everyMs: number; report: () => void };
}

/**
 * Asks `done` until it says yes: true then, false once `timeoutMs` have passed. An error thrown by
 * `done` ends the wait at once, for an answer that will never come (the process waited for exited).
 * The servers' readiness, free ports, a process's exit and a service's /health are all waited for so.
 */
export async function pollUntil(done: () => boolean | Promise<boolean>, options: PollOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let reportedAt = Date.now();
  const report = (): void => {
    if (!options.progress || Date.now() - reportedAt < options.progress.everyMs) return;
    options.progress.report();
    reportedAt = Date.now();
  };
  try {
    await retry(
      async () => {
        if (!(await done())) throw new NotYet();
      },
      {
        attempts: Infinity,
        delayMs: () => options.everyMs,
        retryIf: (err) => err instanceof NotYet && Date.now() < deadline,
        onRetry: report,
      },
    );
    return true;
  } catch (err) {
    if (err instanceof NotYet) return false;
    throw err;
  }
}
