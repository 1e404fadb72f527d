import { MetricsRegistry } from '@reeltime/observability';
import { Counter, Gauge } from 'prom-client';
import { AnswerCache } from './answer-cache';

/** A counter that follows a running total kept elsewhere, brought up to date when scraped. */
function followingCounter(name: string, help: string, metrics: MetricsRegistry, total: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [metrics],
    collect() {
      const now = total();
      if (now > reported) this.inc(now - reported);
      reported = now;
    },
  });
}

/** Exposes the answer cache's size and hit/miss counts on /metrics. */
export function withCacheMetrics(cache: AnswerCache, metrics: MetricsRegistry): AnswerCache {
  new Gauge({
    name: 'reeltime_query_cache_entries',
    help: 'answers held in the query cache',
    registers: [metrics],
    collect() {
      this.set(cache.size);
    },
  });
  new Gauge({
    name: 'reeltime_query_cache_bytes',
    help: 'bytes the answers in the query cache are taken to cost (key + JSON as UTF-16, plus a fixed allowance each)',
    registers: [metrics],
    collect() {
      this.set(cache.bytes);
    },
  });
  followingCounter('reeltime_query_cache_hits_total', 'answers served from the cache', metrics, () => cache.hits);
  followingCounter(
    'reeltime_query_cache_misses_total',
    'answers read from Cassandra (cache misses)',
    metrics,
    () => cache.misses,
  );
  return cache;
}
