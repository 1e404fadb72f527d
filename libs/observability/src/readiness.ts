import { HealthCheckResult, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '@reeltime/runtime';
import { HealthProbe } from './health-probe';

/**
 * What GET /health/ready answers: @nestjs/terminus's result (tools such as the launcher read `error`),
 * plus, when not ready, a `message` that names every dependency that is down, for a human.
 */
export type ReadinessReport = HealthCheckResult & { message?: string };

/**
 * One terminus indicator per probe, each with its own time limit: a hung dependency must not hold the
 * answer longer than that, nor hide the state of the others (terminus runs them all at once).
 */
export function indicatorsOf(
  probes: HealthProbe[],
  indicators: HealthIndicatorService,
  timeoutMs: number,
): Array<() => Promise<HealthIndicatorResult>> {
  return probes.map((probe) => async () => {
    const indicator = indicators.check(probe.key);
    try {
      // `status` is terminus's own key; a probe's detail of that name must not pass for the state.
      const { status: _ignored, ...details } = await withTimeout(probe.check(), timeoutMs);
      return indicator.up(details);
    } catch (err) {
      return indicator.down({ message: (err as Error).message || String(err) });
    }
  });
}

/** The report with a `message` naming each dependency that is down and why. */
export function withMessage(result: HealthCheckResult): ReadinessReport {
  const down = Object.entries(result.error ?? {});
  if (down.length === 0) return result;
  const reason = (state?: Record<string, unknown>) => (typeof state?.message === 'string' ? state.message : 'down');
  return {
    ...result,
    message: `not ready: ${down.map(([key, state]) => `${key} is down (${reason(state)})`).join('; ')}`,
  };
}
