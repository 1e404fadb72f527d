/** What the page says about the pipeline's health and its own connection (pure). */
import type { PipelineHealth } from './wire';

export interface Banner {
  id: 'reconnecting' | 'cassandra' | 'kafka' | 'consumer';
  text: string;
  level: 'warn' | 'error';
}

export interface Conditions {
  connected: boolean;
  /** The last health push, if any since connecting. */
  health?: PipelineHealth;
  /** When a REST answer last was a 503 (Cassandra unavailable), if since the last good answer. */
  restUnavailableAt?: number;
}

/** The banners to show, most serious first. */
export function banners(c: Conditions): Banner[] {
  const out: Banner[] = [];
  if (!c.connected) out.push({ id: 'reconnecting', text: 'Reconnecting…', level: 'warn' });
  const services = c.connected ? c.health?.services : undefined;
  if (services?.cassandra === 'down' || c.restUnavailableAt !== undefined) {
    out.push({ id: 'cassandra', text: 'Cassandra unavailable — showing cached figures', level: 'error' });
  }
  if (services?.kafka === 'down') out.push({ id: 'kafka', text: 'Kafka unavailable', level: 'error' });
  return out;
}

/** Bar lengths (0–1) for the lag of each partition, relative to the largest. */
export function lagBars(
  partitions: PipelineHealth['lag']['partitions'],
): Array<{ partition: number; lag: number; share: number }> {
  const max = Math.max(1, ...partitions.map((p) => p.lag));
  return partitions
    .slice()
    .sort((a, b) => a.partition - b.partition)
    .map((p) => ({ ...p, share: p.lag / max }));
}

/** ratings/s with the precision that matters at its size. */
export const perSecond = (v: number | null): string =>
  v === null ? '?' : v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-GB');
