import { RATING_MAX, StatsAggregate } from '@reeltime/contracts';

/**
 * The consumer keeps only a histogram per (user, hour): count, sum, min and max all follow from it,
 * and unlike a running min/max it can take a rating back out (when a redelivered event id carries a
 * different rating than the row it overwrites).
 */
export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(RATING_MAX).fill(0);
}

export function histogramOf(ratings: Iterable<number>): Histogram {
  const h = emptyHistogram();
  for (const r of ratings) h[r - 1] += 1;
  return h;
}

export function aggregateOf(h: Histogram): StatsAggregate {
  let count = 0;
  let sum = 0;
  let min: number | null = null;
  let max: number | null = null;
  h.forEach((n, i) => {
    if (n === 0) return;
    count += n;
    sum += n * (i + 1);
    min ??= i + 1;
    max = i + 1;
  });
  return { count, sum, min, max, histogram: [...h] };
}
