import { Injectable } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { HourlyStats, hourStart, minuteStart, toHourlyStats } from '@reeltime/contracts';
import { SourcedRating } from '../ingest/micro-batcher';
import { mapLimit } from '../storage/concurrency';
import { RatingsStore, StoredRow } from '../storage/ratings.store';
import { BloomFilter } from './bloom-filter';
import { Histogram, aggregateOf, histogramOf } from './histogram';
import { PartitionsMoved } from './partitions-moved';
import { HourEntry, StatsCache, hourKey, rowKey } from './stats-cache';
import { CountDelta, TrendingCounter } from './trending-counter';

interface Group {
  key: string;
  name: string;
  hour: number;
  ratings: SourcedRating[];
}

export interface WriteOutcome {
  /** One per (user, hour) the batch touched, to publish after the offsets are committed. */
  stats: HourlyStats[];
  /** (user, hour) groups whose entry was rebuilt from Cassandra (cache miss). */
  rebuilt: number;
  /** Events the Bloom filter could not rule out, checked with a point read. */
  pointReads: number;
  /** Trending rows written. */
  trendingRows: number;
}

/** Groups ratings by `records` partition (user, event hour); within a batch the last copy of a row wins. */
export function groupByPartition(ratings: SourcedRating[]): Group[] {
  // A row is (time, id). Ids are unique in practice, so rows are told apart by id, and only an id
  // seen again with another time takes the slower joined key; no key string per event.
  const groups = new Map<
    string,
    { key: string; name: string; hour: number; byId: Map<string, SourcedRating>; other?: Map<string, SourcedRating> }
  >();
  for (const r of ratings) {
    const hour = hourStart(r.time);
    const key = hourKey(r.name, hour);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, name: r.name, hour, byId: new Map() }));
    const seen = g.byId.get(r.id);
    if (seen === undefined || seen.time === r.time) g.byId.set(r.id, r);
    else (g.other ??= new Map()).set(rowKey(r.time, r.id), r);
  }
  return [...groups.values()].map(({ key, name, hour, byId, other }) => ({
    key,
    name,
    hour,
    ratings: other ? [...byId.values(), ...other.values()] : [...byId.values()],
  }));
}

/** What a group's rows held before the batch, and what the batch makes of them. */
interface Plan {
  g: Group;
  entry: HourEntry;
  /** The entry was cached, so an earlier flush of this process already marked the user active. */
  cached: boolean;
}

/**
 * Writes one micro-batch to Cassandra and keeps each touched (user, hour)'s stats exact, i.e. equal
 * to the aggregate over that partition's rows in `records`, and the trending counts equal to the
 * count of distinct rows per (minute, movie). Before anything is written it finds out, per event,
 * whether its row already exists (and with which rating and movie):
 * - cache hit: the Bloom filter proves most events new without a read; the rest get a point read.
 * - cache miss (start-up, eviction, rebalance): the partition is read and aggregated.
 * Then, in this order: the trending deltas (fenced by offset, see TrendingCounter), the `records`
 * rows, the stats rows. The cache is only updated once every write of the batch succeeded; if any
 * fails, the touched entries are dropped, so a retry starts again from what reached Cassandra.
 */
@Injectable()
export class BatchWriter {
  constructor(
    private readonly store: RatingsStore,
    private readonly cache: StatsCache,
    private readonly trending: TrendingCounter,
    private readonly config: AppConfig,
  ) {}

  async write(ratings: SourcedRating[], now: number, stillCurrent: () => boolean): Promise<WriteOutcome> {
    const groups = groupByPartition(ratings);
    const concurrency = this.config.batch.writeConcurrency;
    let rebuilt = 0;
    let pointReads = 0;
    const deltas: CountDelta[] = [];
    try {
      const plans = await mapLimit(groups, concurrency, async (g): Promise<Plan> => {
        const cached = this.cache.get(g.key);
        let histogram: Histogram;
        let rows: BloomFilter;
        let previousOf: (r: SourcedRating) => StoredRow | undefined | Promise<StoredRow | undefined>;
        if (cached) {
          histogram = [...cached.histogram];
          rows = cached.rows;
          previousOf = (r) => {
            if (!rows.mightContain(r.id, r.time)) return undefined;
            pointReads += 1;
            return this.store.readRow(g.name, g.hour, r.time, r.id);
          };
        } else {
          rebuilt += 1;
          const stored = await this.store.readHour(g.name, g.hour);
          const byKey = new Map<string, StoredRow>();
          rows = new BloomFilter(Math.max(256, (stored.length + g.ratings.length) * 2));
          for (const row of stored) {
            byKey.set(rowKey(row.time, row.id), row);
            rows.add(row.id, row.time);
          }
          histogram = histogramOf(stored.map((row) => row.rating));
          previousOf = (r) => byKey.get(rowKey(r.time, r.id));
        }
        for (const r of g.ratings) {
          const lookup = previousOf(r);
          const previous = lookup instanceof Promise ? await lookup : lookup;
          const minute = minuteStart(r.time);
          if (previous) {
            histogram[previous.rating - 1] -= 1;
            if (previous.movie !== r.movie || previous.rating !== r.rating) {
              deltas.push({
                minute,
                movie: previous.movie,
                source: r.source,
                offset: r.offset,
                count: -1,
                sum: -previous.rating,
              });
              deltas.push({ minute, movie: r.movie, source: r.source, offset: r.offset, count: 1, sum: r.rating });
            }
          } else {
            deltas.push({ minute, movie: r.movie, source: r.source, offset: r.offset, count: 1, sum: r.rating });
          }
          histogram[r.rating - 1] += 1;
        }
        return { g, entry: { histogram, rows }, cached: cached !== undefined };
      });
      // Trending first: its rows remember which offsets they counted, the records rows do not.
      const { rows: trendingRows } = await this.trending.apply(deltas, stillCurrent);
      const stats = await mapLimit(plans, concurrency, async ({ g, entry, cached }) => {
        if (!stillCurrent()) throw new PartitionsMoved();
        await this.store.writeRecords(g.name, g.hour, g.ratings);
        if (!stillCurrent()) throw new PartitionsMoved();
        for (const r of g.ratings) entry.rows.add(r.id, r.time);
        const aggregate = aggregateOf(entry.histogram);
        await Promise.all([
          this.store.writeStats(g.name, g.hour, aggregate, now),
          cached ? undefined : this.store.markActive(g.name, g.hour),
        ]);
        return toHourlyStats(g.name, g.hour, aggregate, now);
      });
      // A rebalance during the writes may have handed these users to another consumer, whose writes
      // this cache would not see: then the entries are dropped instead of kept.
      const current = stillCurrent();
      for (const { g, entry } of plans) {
        if (current) this.cache.set(g.key, entry);
        else this.cache.delete(g.key);
      }
      return { stats, rebuilt, pointReads, trendingRows };
    } catch (err) {
      for (const g of groups) this.cache.delete(g.key);
      throw err;
    }
  }

  /** Forgets every cached entry: after a rebalance another consumer may have written them. */
  forget(): void {
    this.cache.clear();
    this.trending.clear();
  }
}
