/** A movie's counts per bucket as an SVG polyline's points (pure). */
export function sparklinePoints(series: readonly number[], width: number, height: number, pad = 1.5): string {
  if (series.length === 0) return '';
  const max = Math.max(1, ...series);
  const step = series.length > 1 ? (width - 2 * pad) / (series.length - 1) : 0;
  const y = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const points = series.map((v, i) => `${(pad + i * step).toFixed(1)},${y(v).toFixed(1)}`);
  // One bucket: a flat line across, so it still reads as a level.
  if (series.length === 1) points.push(`${(width - pad).toFixed(1)},${y(series[0]).toFixed(1)}`);
  return points.join(' ');
}
