import { Injectable, Module } from '@nestjs/common';
import { HealthProbe } from '@reeltime/observability';
import { Clock, SystemClock } from '@reeltime/runtime';

/** The dependency a failing flush step waits on, as readiness names it. */
export type FlushStage = 'cassandra' | 'kafka';

/**
 * The consumer's own readiness: while flushes keep failing it is not ready, even when Kafka and
 * Cassandra each answer a ping (a write can fail where a ping succeeds). Readiness then names the
 * dependency of the failing step and how long it has been failing, so an operator sees where the
 * pipeline is stuck; liveness is unaffected, since retrying is what the process should be doing.
 */
@Injectable()
export class FlushHealth extends HealthProbe {
  readonly key = 'pipeline';
  private failing?: { since: number; stage: FlushStage; error: string; attempts: number };

  constructor(private readonly clock: Clock) {
    super();
  }

  failed(stage: FlushStage, err: unknown): void {
    const error = String(err);
    if (this.failing) Object.assign(this.failing, { stage, error, attempts: this.failing.attempts + 1 });
    else this.failing = { since: this.clock.now(), stage, error, attempts: 1 };
  }

  succeeded(): void {
    this.failing = undefined;
  }

  /** Milliseconds since the first of the current run of failures (0 when the last flush succeeded). */
  failingForMs(): number {
    return this.failing ? this.clock.now() - this.failing.since : 0;
  }

  check(): Promise<Record<string, unknown>> {
    const f = this.failing;
    if (!f) return Promise.resolve({ flushes: 'ok' });
    const seconds = Math.round(this.failingForMs() / 1000);
    return Promise.reject(
      new Error(`${f.stage}: flushes failing for ${seconds} s (${f.attempts} attempts), last error: ${f.error}`),
    );
  }
}

/** Provides FlushHealth to the consumer's pipeline and to the health checks (one instance for both). */
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, FlushHealth],
  exports: [FlushHealth],
})
export class FlushHealthModule {}
