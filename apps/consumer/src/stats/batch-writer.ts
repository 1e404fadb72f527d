import { Injectable } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { HourlyStats, hourStart, minuteStart, toHourlyStats } from '@reeltime/contracts';
import { SourcedRating } from '../ingest/micro-batcher';
import { HourStatsRow, RatingsStore, StoredRow } from '../storage/ratings.store';
import { BloomFilter } from './bloom-filter';
import { Histogram, aggregateOf, histogramOf } from './histogram';
import { PartitionsMoved } from './partitions-moved';
import { ActiveUsers } from './active-users';
import { HourEntry, StatsCache, hourKey, rowKey } from './stats-cache';
import { CountDelta, TrendingCounter } from './trending-counter';
import { mapLimit } from '@reeltime/runtime';

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
  /** How long reading those groups' rows back took. */
  readBackMs: number;
  /** (user, hour) groups known to have no rows yet (see ActiveUsers), so neither cached nor read. */
  fresh: number;
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

/**
 * A new entry's filter holds twice the rows it starts with, at least 16: most users rate a few movies
 * an hour, and the filter adds layers as it fills, so a small start costs no accuracy, only memory saved
 * (a 256-row start took ~300 bytes more per entry, with 100,000 entries a batch).
 */
const rowFilterCapacity = (rows: number): number => Math.max(16, rows * 2);

/** Which groups are known to have no rows yet, and the stored rows of those that were read back. */
interface ReadBack {
  freshKeys: Set<string>;
  stored: Map<string, StoredRow[]>;
}

/** What one batch's planning counted, and the trending deltas it produced. */
interface Tally {
  rebuilt: number;
  fresh: number;
  pointReads: number;
  deltas: CountDelta[];
}

/** A group's partition before the batch: its histogram, its rows' filter, and a lookup of an event's row. */
interface Prior {
  histogram: Histogram;
  rows: BloomFilter;
  cached: boolean;
  previousOf: (r: SourcedRating) => StoredRow | undefined | Promise<StoredRow | undefined>;
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
 * - cache miss, but the user is not marked active in that hour (see ActiveUsers): the partition is
 *   empty, so every event is new, with no read.
 * - any other cache miss (start-up, eviction, rebalance): the partition is read and aggregated.
 * Then, in this order: the users_by_hour marks of uncached groups together with the trending deltas
 * (fenced by offset, see TrendingCounter), the `records` rows, the stats rows. The cache is only
 * updated once every write of the batch succeeded; if any fails, the touched entries are dropped, so a
 * retry starts again from what reached Cassandra.
 */
@Injectable()
export class BatchWriter {
  constructor(
    private readonly store: RatingsStore,
    private readonly cache: StatsCache,
    private readonly trending: TrendingCounter,
    private readonly active: ActiveUsers,
    private readonly config: AppConfig,
  ) {}

  async write(ratings: SourcedRating[], now: number, stillCurrent: () => boolean): Promise<WriteOutcome> {
    const groups = groupByPartition(ratings);
    try {
      const readStarted = Date.now();
      const before = await this.readBack(groups, now);
      const readBackMs = Date.now() - readStarted;
      const tally: Tally = { rebuilt: 0, fresh: 0, pointReads: 0, deltas: [] };
      const plans = await mapLimit(groups, this.config.batch.writeConcurrency, (g) => this.plan(g, before, tally));
      const trendingRows = await this.markAndCount(plans, tally.deltas, stillCurrent);
      const rows = await this.writeRowsThenStats(plans, now, stillCurrent);
      this.keep(plans, stillCurrent());
      const stats = rows.map((row) => toHourlyStats(row.name, row.hour, row.stats, now));
      const { rebuilt, fresh, pointReads } = tally;
      return { stats, rebuilt, readBackMs, fresh, pointReads, trendingRows };
    } catch (err) {
      // A retry starts again from what reached Cassandra.
      for (const g of groups) this.cache.delete(g.key);
      throw err;
    }
  }

  /** What the group's partition held before the batch, and how to find out whether an event's row exists. */
  private prior(g: Group, before: ReadBack, tally: Tally): Prior {
    const cached = this.cache.get(g.key);
    if (cached) {
      const rows = cached.rows;
      return {
        histogram: [...cached.histogram],
        rows,
        cached: true,
        // The filter proves most events new without a read; the rest get a point read.
        previousOf: (r) => {
          if (!rows.mightContain(r.id, r.time)) return undefined;
          tally.pointReads += 1;
          return this.store.readRow(g.name, g.hour, r.time, r.id);
        },
      };
    }
    if (before.freshKeys.has(g.key)) {
      tally.fresh += 1;
      const rows = new BloomFilter(rowFilterCapacity(g.ratings.length));
      return { histogram: histogramOf([]), rows, cached: false, previousOf: () => undefined };
    }
    tally.rebuilt += 1;
    const stored = before.stored.get(g.key) ?? [];
    const byKey = new Map<string, StoredRow>();
    const rows = new BloomFilter(rowFilterCapacity(stored.length + g.ratings.length));
    for (const row of stored) {
      byKey.set(rowKey(row.time, row.id), row);
      rows.add(row.id, row.time);
    }
    const histogram = histogramOf(stored.map((row) => row.rating));
    return { histogram, rows, cached: false, previousOf: (r) => byKey.get(rowKey(r.time, r.id)) };
  }

  /**
   * The group's histogram after the batch, and its trending deltas: an event whose row exists takes the
   * old rating out first, and moves the trending count only if its movie or rating changed.
   */
  private async plan(g: Group, before: ReadBack, tally: Tally): Promise<Plan> {
    const { histogram, rows, cached, previousOf } = this.prior(g, before, tally);
    for (const r of g.ratings) {
      const lookup = previousOf(r);
      const previous = lookup instanceof Promise ? await lookup : lookup;
      const { source, offset } = r;
      const minute = minuteStart(r.time);
      if (previous) {
        histogram[previous.rating - 1] -= 1;
        if (previous.movie !== r.movie || previous.rating !== r.rating) {
          tally.deltas.push({ minute, movie: previous.movie, source, offset, count: -1, sum: -previous.rating });
          tally.deltas.push({ minute, movie: r.movie, source, offset, count: 1, sum: r.rating });
        }
      } else {
        tally.deltas.push({ minute, movie: r.movie, source, offset, count: 1, sum: r.rating });
      }
      histogram[r.rating - 1] += 1;
    }
    return { g, entry: { histogram, rows }, cached };
  }

  /**
   * Both before any records row: a user is marked active in an hour before any of their rows there is
   * written, so users_by_hour never lacks a user who has rows (ActiveUsers' "no rows yet" rests on
   * that); trending rows remember which offsets they counted, the records rows do not. Both are
   * awaited, failed or not, so neither runs on into a retry. Returns the trending rows written.
   */
  private async markAndCount(plans: Plan[], deltas: CountDelta[], stillCurrent: () => boolean): Promise<number> {
    const unmarked = plans.filter((p) => !p.cached).map(({ g }) => ({ name: g.name, hour: g.hour }));
    const [marked, counted] = await Promise.allSettled([
      (async () => {
        if (!stillCurrent()) throw new PartitionsMoved();
        await this.store.markActive(unmarked);
        for (const u of unmarked) await this.active.added(u.name, u.hour);
      })(),
      this.trending.apply(deltas, stillCurrent),
    ]);
    if (marked.status === 'rejected') throw marked.reason;
    if (counted.status === 'rejected') throw counted.reason;
    return counted.value.rows;
  }

  /**
   * Every records row before any stats row, so a stats row never counts rows that are not there. Once
   * the partitions have moved, no further request starts: the new owner may be writing them.
   */
  private async writeRowsThenStats(plans: Plan[], now: number, stillCurrent: () => boolean): Promise<HourStatsRow[]> {
    const proceed = (): void => {
      if (!stillCurrent()) throw new PartitionsMoved();
    };
    await this.store.writeRecords(
      plans.map(({ g }) => g),
      proceed,
    );
    const rows = plans.map(({ g, entry }) => {
      for (const r of g.ratings) entry.rows.add(r.id, r.time);
      return { name: g.name, hour: g.hour, stats: aggregateOf(entry.histogram), updatedAt: now };
    });
    await this.store.writeStats(rows, proceed);
    return rows;
  }

  /**
   * Caches the entries once every write succeeded. A rebalance during the writes may have handed these
   * users to another consumer, whose writes this cache would not see: then they are dropped instead.
   */
  private keep(plans: Plan[], current: boolean): void {
    for (const { g, entry } of plans) {
      if (current) this.cache.set(g.key, entry);
      else this.cache.delete(g.key);
    }
  }

  /** Forgets every cached entry: after a rebalance another consumer may have written them. */
  forget(): void {
    this.cache.clear();
    this.trending.clear();
    this.active.clear();
  }

  /**
   * Sorts the groups no cache entry covers into those known to have no rows yet and those whose rows
   * must be read back, and reads the latter all at once, many partitions a request: after a restart or
   * a rebalance every active user is such a group (5,647 of them in the first flush after a restart
   * with 10,000 users), and a read a partition took 6–8 s.
   */
  private async readBack(groups: Group[], now: number): Promise<ReadBack> {
    const freshKeys = new Set<string>();
    const toRead: Group[] = [];
    for (const g of groups) {
      if (this.cache.has(g.key)) continue;
      if (await this.isFresh(g, now)) freshKeys.add(g.key);
      else toRead.push(g);
    }
    const rows = await this.store.readHours(toRead);
    return { freshKeys, stored: new Map(toRead.map((g, i) => [g.key, rows[i]])) };
  }

  /** Whether the group's (user, hour) is known to have no rows in Cassandra yet. */
  private async isFresh(g: Group, now: number): Promise<boolean> {
    const active = await this.active.filterOf(g.hour, now);
    return active !== undefined && !active.mightContain(g.name);
  }
}
