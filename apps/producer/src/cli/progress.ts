/** Human-readable progress and summary lines for the CLI. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface Summary {
  mode: 'synthetic' | 'replay';
  topic: string;
  generated: number;
  sent: number;
  errors: number;
  lost: number;
  badLines: number;
  seconds: number;
  ratingsPerSecond: number;
  /** CPU time (user + system) this process spent while sending, in seconds. */
  cpuSeconds: number;
  /** Peak resident set size of this process, MiB. */
  maxRssMiB: number;
}

export function formatSummary(s: Summary): string {
  const bad = s.mode === 'replay' ? `, ${s.badLines} bad lines skipped` : '';
  const lost = s.lost > 0 ? `, ${s.lost} NOT delivered` : '';
  return (
    `sent ${s.sent} ratings to ${s.topic} in ${s.seconds.toFixed(2)} s: ${Math.round(s.ratingsPerSecond)} ratings/s, ` +
    `${s.errors} send errors (retried)${bad}${lost}; CPU ${((s.cpuSeconds / Math.max(0.001, s.seconds)) * 100).toFixed(0)}%, ` +
    `peak RSS ${s.maxRssMiB.toFixed(0)} MiB`
  );
}
