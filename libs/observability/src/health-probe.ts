/**
 * One dependency's readiness check (Kafka, Cassandra, …). `check` resolves with details when the
 * dependency answers and throws when it does not.
 */
export abstract class HealthProbe {
  abstract readonly key: string;
  abstract check(): Promise<Record<string, unknown>>;
}

export const HEALTH_PROBES = Symbol('HEALTH_PROBES');
