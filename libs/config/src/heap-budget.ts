import { AppConfig } from './app-config';
import { ConfigError } from './env';

const MIB = 1024 * 1024;

/**
 * The largest share of the V8 heap limit that STATS_CACHE_MAX_MB may claim. An LRU cache is full in
 * steady state, and the trending cache takes another quarter of the same bound, so at one half these
 * caches hold up to 62.5 % of the heap for good. The rest must hold what comes and goes: a batch in
 * flight (BATCH_MAX_MB of messages, decoded into objects several times that size), the Kafka and
 * Cassandra clients' buffers, and the free space V8's collector needs; with less, it collects back to
 * back and the process dies "out of memory" hours later instead of refusing to start now.
 */
export const STATS_CACHE_HEAP_SHARE = 0.5;

/**
 * Throws a ConfigError naming STATS_CACHE_MAX_MB and --max-old-space-size when the stats cache's bound
 * cannot fit the heap limit (v8.getHeapStatistics().heap_size_limit: the old space that
 * --max-old-space-size sets, plus the young generation).
 */
export function checkStatsCacheFitsHeap(config: AppConfig, heapLimitBytes: number): void {
  const allowed = Math.floor(heapLimitBytes * STATS_CACHE_HEAP_SHARE);
  if (config.batch.statsCacheMaxBytes <= allowed) return;
  const cacheMb = config.batch.statsCacheMaxBytes / MIB;
  const limitMb = Math.floor(heapLimitBytes / MIB);
  throw new ConfigError(
    'STATS_CACHE_MAX_MB',
    `${cacheMb} MiB cannot fit this consumer's heap: the V8 heap limit is ${limitMb} MiB ` +
      `(node --max-old-space-size), and the stats cache may take at most ${Math.floor(allowed / MIB)} MiB of it ` +
      `(${STATS_CACHE_HEAP_SHARE * 100} %). Lower STATS_CACHE_MAX_MB or raise --max-old-space-size.`,
  );
}
