import { Injectable } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { HourlyStats, Rating, hourStart, toHourlyStats } from '@reeltime/contracts';
import { mapLimit } from '../storage/concurrency';
import { RatingsStore } from '../storage/ratings.store';
import { BloomFilter } from './bloom-filter';
import { aggregateOf, histogramOf } from './histogram';
import { HourEntry, StatsCache, hourKey, rowKey } from './stats-cache';

interface Group {
  key: string;
  name: string;
  hour: number;
  ratings: Rating[];
}

export interface WriteOutcome {
  /** One per (user, hour) the batch touched, to publish after the offsets are committed. */
  stats: HourlyStats[];
  /** (user, hour) groups whose entry was rebuilt from Cassandra (cache miss). */
  rebuilt: number;
  /** Events the Bloom filter could not rule out, checked with a point read. */
  pointReads: number;
}

/** Groups ratings by `records` partition (user, event hour); within a batch the last copy of a row wins. */
export function groupByPartition(ratings: Rating[]): Group[] {
  const groups = new Map<string, Group & { rows: Map<string, Rating> }>();
  for (const r of ratings) {
    const hour = hourStart(r.time);
    const key = hourKey(r.name, hour);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, name: r.name, hour, ratings: [], rows: new Map() }));
    g.rows.set(rowKey(r.time, r.id), r);
  }
  return [...groups.values()].map(({ key, name, hour, rows }) => ({ key, name, hour, ratings: [...rows.values()] }));
}

/**
 * Writes one micro-batch to Cassandra and keeps each touched (user, hour)'s stats exact, i.e. equal
 * to the aggregate over that partition's rows in `records`:
 * - cache hit: an event is counted unless its row already exists. The Bloom filter proves most
 *   events new without a read; the rest get a point read *before* the write. A row that exists with
 *   another rating moves one count between histogram buckets.
 * - cache miss (start-up, eviction, rebalance): the rows are written, then the partition is read
 *   back and aggregated, which is exact whatever was written before.
 * The cache is only updated once every write of the batch succeeded; if any fails, the touched
 * entries are dropped, so a retry rebuilds them from what actually reached Cassandra.
 */
@Injectable()
export class BatchWriter {
  constructor(
    private readonly store: RatingsStore,
    private readonly cache: StatsCache,
    private readonly config: AppConfig,
  ) {}

  async write(ratings: Rating[], now: number, stillCurrent: () => boolean): Promise<WriteOutcome> {
    const groups = groupByPartition(ratings);
    let rebuilt = 0;
    let pointReads = 0;
    try {
      const [results] = await Promise.all([
        mapLimit(groups, this.config.batch.writeConcurrency, async (g) => {
          const cached = this.cache.get(g.key);
          let entry: HourEntry;
          if (cached) {
            const histogram = [...cached.histogram];
            for (const r of g.ratings) {
              const k = rowKey(r.time, r.id);
              let previous: number | undefined;
              if (cached.rows.mightContain(k)) {
                pointReads += 1;
                previous = await this.store.readRating(g.name, g.hour, r.time, r.id);
              }
              if (previous !== undefined) histogram[previous - 1] -= 1;
              histogram[r.rating - 1] += 1;
            }
            await this.store.writeRecords(g.name, g.hour, g.ratings);
            for (const r of g.ratings) cached.rows.add(rowKey(r.time, r.id));
            entry = { histogram, rows: cached.rows };
          } else {
            rebuilt += 1;
            await this.store.writeRecords(g.name, g.hour, g.ratings);
            const rows = await this.store.readHour(g.name, g.hour);
            const filter = new BloomFilter(Math.max(256, rows.length * 2));
            for (const row of rows) filter.add(rowKey(row.time, row.id));
            entry = { histogram: histogramOf(rows.map((row) => row.rating)), rows: filter };
          }
          const aggregate = aggregateOf(entry.histogram);
          await Promise.all([
            this.store.writeStats(g.name, g.hour, aggregate, now),
            this.store.markActive(g.name, g.hour),
          ]);
          return { g, entry, stats: toHourlyStats(g.name, g.hour, aggregate, now) };
        }),
        this.store.writeTrending(ratings),
      ]);
      // A rebalance during the writes may have handed these users to another consumer, whose writes
      // this cache would not see: then the entries are dropped instead of kept.
      const current = stillCurrent();
      for (const { g, entry } of results) {
        if (current) this.cache.set(g.key, entry);
        else this.cache.delete(g.key);
      }
      return { stats: results.map((r) => r.stats), rebuilt, pointReads };
    } catch (err) {
      for (const g of groups) this.cache.delete(g.key);
      throw err;
    }
  }
}
