import { HealthProbe } from './health-probe';

export type DependencyState = { status: 'up'; [detail: string]: unknown } | { status: 'down'; message: string };

/**
 * What GET /health/ready answers. `info`/`error`/`details` keep the shape of @nestjs/terminus (tools
 * such as the launcher read `error`); `message` names every dependency that is down, for a human.
 */
export interface ReadinessReport {
  status: 'ok' | 'error';
  message?: string;
  /** The dependencies that answered. */
  info: Record<string, DependencyState>;
  /** The dependencies that did not, each with its error. */
  error: Record<string, DependencyState>;
  /** All of them. */
  details: Record<string, DependencyState>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Asks every probe at once, each with its own time limit (a hung dependency must not hold the answer
 * longer than that, nor hide the state of the others).
 */
export async function checkReadiness(probes: HealthProbe[], timeoutMs: number): Promise<ReadinessReport> {
  const states = await Promise.all(
    probes.map(async (probe): Promise<[string, DependencyState]> => {
      try {
        return [probe.key, { ...(await withTimeout(probe.check(), timeoutMs)), status: 'up' }];
      } catch (err) {
        return [probe.key, { status: 'down', message: (err as Error).message || String(err) }];
      }
    }),
  );
  const details = Object.fromEntries(states);
  const info = Object.fromEntries(states.filter(([, s]) => s.status === 'up'));
  const down = states.filter(([, s]) => s.status === 'down');
  const error = Object.fromEntries(down);
  if (down.length === 0) return { status: 'ok', info, error, details };
  const message = `not ready: ${down.map(([key, s]) => `${key} is down (${(s as { message: string }).message})`).join('; ')}`;
  return { status: 'error', message, info, error, details };
}
