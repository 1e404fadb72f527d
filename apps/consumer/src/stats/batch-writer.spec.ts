import { loadConfig } from '@reeltime/config';
import { Rating, StatsAggregate, aggregateRatings, hourStart, minuteStart } from '@reeltime/contracts';
import { SourcedRating } from '../ingest/micro-batcher';
import {
  CountSpan,
  HourRows,
  HourStatsRow,
  MovieCount,
  Proceed,
  RatingsStore,
  StoredRow,
} from '../storage/ratings.store';
import { BatchWriter, groupByPartition } from './batch-writer';
import { PartitionsMoved } from './partitions-moved';
import { StatsCache, hourKey } from './stats-cache';
import { TrendingCounter } from './trending-counter';
import { ActiveUsers } from './active-users';
import { AppConfig } from '@reeltime/config';

const writerOf = (store: MemoryStore, cache: StatsCache, config: AppConfig): BatchWriter =>
  new BatchWriter(store, cache, new TrendingCounter(store, config), new ActiveUsers(store), config);

/** In-memory stand-in with the same upsert semantics as the Cassandra tables (unit test of the logic only). */
class MemoryStore extends RatingsStore {
  readonly records = new Map<string, Map<string, StoredRow>>();
  readonly stats = new Map<string, StatsAggregate>();
  readonly counts = new Map<string, Map<string, MovieCount>>();
  failNextRecordWrite = false;
  reads = 0;

  /** One request per partition, so a test can stop or fail the write between partitions. */
  async writeRecords(hours: HourRows[], proceed: Proceed): Promise<void> {
    for (const { name, hour, ratings } of hours) {
      proceed();
      await this.writeHour(name, hour, ratings);
    }
  }
  async writeStats(rows: HourStatsRow[], proceed: Proceed): Promise<void> {
    for (const { name, hour, stats } of rows) {
      proceed();
      await this.writeHourStats(name, hour, stats);
    }
  }
  async writeHour(name: string, hour: number, ratings: Rating[]): Promise<void> {
    if (this.failNextRecordWrite) {
      this.failNextRecordWrite = false;
      // Half the rows land before the failure, as with a timed-out batch.
      this.upsert(name, hour, ratings.slice(0, Math.floor(ratings.length / 2)));
      throw new Error('write timeout');
    }
    this.upsert(name, hour, ratings);
    return Promise.resolve();
  }
  upsertForTest(name: string, hour: number, ratings: Rating[]): void {
    this.upsert(name, hour, ratings);
  }
  private upsert(name: string, hour: number, ratings: Rating[]): void {
    const key = hourKey(name, hour);
    const part = this.records.get(key) ?? new Map<string, StoredRow>();
    for (const r of ratings)
      part.set(`${r.time}:${r.id}`, { time: r.time, id: r.id, rating: r.rating, movie: r.movie });
    this.records.set(key, part);
  }
  readHours(hours: Array<{ name: string; hour: number }>): Promise<StoredRow[][]> {
    this.reads += hours.length;
    return Promise.resolve(hours.map(({ name, hour }) => [...(this.records.get(hourKey(name, hour))?.values() ?? [])]));
  }
  readRow(name: string, hour: number, time: number, id: string): Promise<StoredRow | undefined> {
    this.reads += 1;
    return Promise.resolve(this.records.get(hourKey(name, hour))?.get(`${time}:${id}`));
  }
  writeHourStats(name: string, hour: number, s: StatsAggregate): Promise<void> {
    this.stats.set(hourKey(name, hour), s);
    return Promise.resolve();
  }
  readonly active = new Set<string>();
  markActive(users: Array<{ name: string; hour: number }>): Promise<void> {
    for (const { name, hour } of users) this.active.add(hourKey(name, hour));
    return Promise.resolve();
  }
  readActive(hour: number): Promise<string[]> {
    this.reads += 1;
    const names = [...this.active].filter((k) => k.endsWith(`\u0000${hour}`)).map((k) => k.split('\u0000')[0]);
    return Promise.resolve(names);
  }
  readMovieCounts(span: CountSpan, start: number, source: number): Promise<MovieCount[]> {
    return Promise.resolve([...(this.counts.get(`${span}:${start}:${source}`)?.values() ?? [])].map((r) => ({ ...r })));
  }
  writeMovieCounts(span: CountSpan, start: number, source: number, rows: MovieCount[]): Promise<void> {
    const slice = this.counts.get(`${span}:${start}:${source}`) ?? new Map<string, MovieCount>();
    for (const r of rows) slice.set(r.movie, { ...r });
    this.counts.set(`${span}:${start}:${source}`, slice);
    return Promise.resolve();
  }
  /**
   * The invariants: stats == aggregate over the raw rows; trending == count and sum of the raw rows per
   * (minute, movie), and per (hour, movie) in the hourly rows.
   */
  expectExact(): void {
    const trending = new Map<string, { count: number; sum: number }>();
    const hourly = new Map<string, { count: number; sum: number }>();
    for (const [key, rows] of this.records) {
      const { histogram, count, sum, min, max } = aggregateRatings([...rows.values()].map((r) => r.rating));
      expect(this.stats.get(key)).toEqual({ histogram, count, sum, min, max });
      for (const r of rows.values()) {
        const t = trending.get(`${minuteStart(r.time)}|${r.movie}`) ?? { count: 0, sum: 0 };
        trending.set(`${minuteStart(r.time)}|${r.movie}`, { count: t.count + 1, sum: t.sum + r.rating });
        const h = hourly.get(`${hourStart(r.time)}|${r.movie}`) ?? { count: 0, sum: 0 };
        hourly.set(`${hourStart(r.time)}|${r.movie}`, { count: h.count + 1, sum: h.sum + r.rating });
      }
    }
    const stored = { minute: new Map<string, { count: number; sum: number }>(), hour: new Map() };
    for (const [slice, rows] of this.counts) {
      const [span, start] = slice.split(':') as [CountSpan, string];
      for (const r of rows.values()) {
        if (r.count === 0) continue;
        const t = (stored[span].get(`${start}|${r.movie}`) as { count: number; sum: number }) ?? { count: 0, sum: 0 };
        stored[span].set(`${start}|${r.movie}`, { count: t.count + r.count, sum: t.sum + r.sum });
      }
    }
    expect(stored.minute).toEqual(trending);
    expect(stored.hour).toEqual(hourly);
  }
}

const H = Date.parse('2026-11-21T10:00:00Z');
let n = 0;
const ev = (name: string, rating: number, time = H + n * 1000): SourcedRating => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  name,
  movie: `movie ${n % 7}`,
  rating,
  time,
  source: name.length % 3,
  offset: n,
});

describe('BatchWriter', () => {
  const config = loadConfig({});
  let store: MemoryStore;
  let cache: StatsCache;
  let writer: BatchWriter;
  beforeEach(() => {
    store = new MemoryStore();
    cache = new StatsCache(1 << 20);
    writer = writerOf(store, cache, config);
  });

  it('groups by (user, event hour) and keeps the last copy of a duplicated row', () => {
    const a = ev('alice', 3);
    const late = ev('alice', 9, H - 1);
    const groups = groupByPartition([a, { ...a, rating: 4 }, late, ev('bob', 2)]);
    expect(groups.map((g) => [g.name, g.hour, g.ratings.map((r) => r.rating)])).toEqual([
      ['alice', H, [4]],
      ['alice', hourStart(H - 1), [9]],
      ['bob', H, [2]],
    ]);
  });

  it('tells rows apart by (time, id): one id at two times is two rows', async () => {
    const a = ev('dave', 3, H + 1000);
    const moved = { ...a, time: H + 2000, rating: 5 };
    const groups = groupByPartition([a, moved, { ...a, rating: 7 }, { ...moved, rating: 8 }]);
    expect(groups.map((g) => g.ratings.map((r) => [r.time, r.rating]))).toEqual([
      [
        [H + 1000, 7],
        [H + 2000, 8],
      ],
    ]);
    await writer.write([a, moved], H, () => true);
    await writer.write([{ ...moved, rating: 1, offset: moved.offset + 10 }], H, () => true);
    expect(store.stats.get(hourKey('dave', H))).toMatchObject({ count: 2, sum: 4 });
    store.expectExact();
  });

  it('keeps stats exact across batches with redelivered and duplicated events', async () => {
    const first = [ev('alice', 3), ev('alice', 8), ev('bob', 10)];
    await writer.write(first, H, () => true);
    const second = [first[0], first[2], ev('alice', 1), first[1]];
    const outcome = await writer.write(second, H, () => true);
    expect(outcome.rebuilt).toBe(0);
    expect(store.stats.get(hourKey('alice', H))).toMatchObject({ count: 3, sum: 12 });
    store.expectExact();
  });

  it('reads back the partition on a cache miss, so events written before a crash are not counted twice', async () => {
    const batch = [ev('alice', 3), ev('alice', 5)];
    await writer.write(batch, H, () => true);
    const restarted = writerOf(store, new StatsCache(1 << 20), config);
    const outcome = await restarted.write([...batch, ev('alice', 7)], H, () => true);
    expect(outcome.rebuilt).toBe(1);
    expect(store.stats.get(hourKey('alice', H))).toMatchObject({ count: 3, sum: 15 });
    store.expectExact();
  });

  it('moves a count when a redelivered event id carries another rating', async () => {
    const e = ev('alice', 2);
    await writer.write([e, ev('alice', 6)], H, () => true);
    await writer.write([{ ...e, rating: 9, offset: e.offset + 50 }], H, () => true);
    expect(store.stats.get(hourKey('alice', H))).toMatchObject({ count: 2, sum: 15, min: 6, max: 9 });
    store.expectExact();
  });

  it('drops the cache entries of a failed batch so the retry counts what really reached the store', async () => {
    await writer.write([ev('alice', 5)], H, () => true);
    const batch = [ev('alice', 1), ev('alice', 2), ev('alice', 3), ev('alice', 4)];
    store.failNextRecordWrite = true;
    await expect(writer.write(batch, H, () => true)).rejects.toThrow('write timeout');
    expect(cache.get(hourKey('alice', H))).toBeUndefined();
    await writer.write(batch, H, () => true);
    expect(store.stats.get(hourKey('alice', H))).toMatchObject({ count: 5, sum: 15 });
    store.expectExact();
  });

  it('issues no more writes once the partitions have moved, and keeps nothing of the batch', async () => {
    let current = true;
    const written: string[] = [];
    const writeHour = store.writeHour.bind(store);
    store.writeHour = async (name, hour, ratings) => {
      written.push(name);
      await writeHour(name, hour, ratings);
      current = false; // the rebalance is noticed while the first group's rows are being written
    };
    const batch = ['alice', 'bob', 'carol', 'dave'].map((name) => ev(name, 5));
    const narrow = writerOf(store, cache, { ...config, batch: { ...config.batch, writeConcurrency: 1 } });
    await expect(narrow.write(batch, H, () => current)).rejects.toBeInstanceOf(PartitionsMoved);
    expect(written).toEqual(['alice']);
    expect(store.stats.size).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('does not keep entries whose partitions moved after their last write', async () => {
    let current = true;
    const writeHourStats = store.writeHourStats.bind(store);
    store.writeHourStats = async (...args) => {
      await writeHourStats(...args);
      current = false;
    };
    await writer.write([ev('alice', 5)], H, () => current);
    expect(cache.size).toBe(0);
  });

  it('writes no trending rows once the partitions have moved', async () => {
    await expect(writer.write([ev('alice', 5)], H, () => false)).rejects.toBeInstanceOf(PartitionsMoved);
    expect(store.counts.size).toBe(0);
    expect(store.records.size).toBe(0);
  });

  it('reads only what the Bloom filter cannot rule out', async () => {
    await writer.write([ev('alice', 5)], H, () => true);
    store.reads = 0;
    const fresh = Array.from({ length: 200 }, () => ev('alice', 4));
    const outcome = await writer.write(fresh, H, () => true);
    expect(outcome.pointReads).toBeLessThan(10);
    expect(store.reads).toBe(outcome.pointReads);
    store.expectExact();
  });

  it('counts an event in trending once when a crash hit between the trending rows and the records rows', async () => {
    const batch = [ev('alice', 3), ev('alice', 5), ev('bob', 7), ev('bob', 2)];
    store.failNextRecordWrite = true;
    await expect(writer.write(batch, H, () => true)).rejects.toThrow('write timeout');
    // The process dies: caches are gone, Kafka redelivers the batch (same offsets) to a fresh writer.
    const restarted = writerOf(store, new StatsCache(1 << 20), config);
    await restarted.write(batch, H, () => true);
    store.expectExact();
  });

  it('counts a repeated event id once, and moves the count when the repeat names another movie', async () => {
    const e = ev('alice', 4);
    await writer.write([e, ev('alice', 6)], H, () => true);
    // The same id again at a later offset (a producer retry), then once more with another movie.
    await writer.write([{ ...e, offset: e.offset + 100 }], H, () => true);
    store.expectExact();
    await writer.write([{ ...e, movie: 'another movie', offset: e.offset + 200 }], H, () => true);
    store.expectExact();
    const fresh = writerOf(store, new StatsCache(1 << 20), config);
    await fresh.write([{ ...e, offset: e.offset + 300 }, ev('alice', 1)], H, () => true);
    store.expectExact();
  });

  it('skips trending deltas at offsets a row has already counted', async () => {
    const batch = [ev('carol', 9), ev('carol', 8)];
    await writer.write(batch, H, () => true);
    const before = JSON.stringify([...store.counts]);
    // Records rows deleted behind the writer's back would look new again; the offsets still fence them.
    store.records.clear();
    const restarted = writerOf(store, new StatsCache(1 << 20), config);
    await restarted.write(batch, H, () => true);
    expect(JSON.stringify([...store.counts])).toBe(before);
  });

  it('takes a user not yet active in a recent hour as new, with no read of their partition', async () => {
    await writer.write([ev('alice', 5)], H, () => true);
    store.reads = 0;
    const batch = ['bob', 'carol', 'dave'].flatMap((name) => [ev(name, 2), ev(name, 9, H - 1)]);
    const outcome = await writerOf(store, new StatsCache(1 << 20), config).write(batch, H, () => true);
    expect(outcome).toMatchObject({ fresh: 6, rebuilt: 0, pointReads: 0 });
    // One read of users_by_hour per hour touched, none per user.
    expect(store.reads).toBe(2);
    store.expectExact();
  });

  it('marks a user active in an hour before it writes any of their rows there', async () => {
    const writeHour = store.writeHour.bind(store);
    const unmarked: string[] = [];
    store.writeHour = async (name, hour, ratings) => {
      if (!store.active.has(hourKey(name, hour))) unmarked.push(name);
      await writeHour(name, hour, ratings);
    };
    await writer.write([ev('alice', 5), ev('bob', 3), ev('bob', 4, H - 1)], H, () => true);
    expect(unmarked).toEqual([]);
  });

  it('reads back a user marked active but whose rows never came (a crash between the two)', async () => {
    await store.markActive([{ name: 'erin', hour: H }]);
    const batch = [ev('erin', 6), ev('erin', 7)];
    const outcome = await writer.write(batch, H, () => true);
    expect(outcome).toMatchObject({ fresh: 0, rebuilt: 1 });
    store.expectExact();
  });

  it('reads back hours older than the previous one, which it does not track', async () => {
    const old = H - 3 * 3_600_000;
    await writer.write([ev('frank', 2, old)], H, () => true);
    const outcome = await writerOf(store, new StatsCache(1 << 20), config).write(
      [ev('frank', 4, old + 5)],
      H,
      () => true,
    );
    expect(outcome).toMatchObject({ fresh: 0, rebuilt: 1 });
    expect(store.stats.get(hourKey('frank', old))).toMatchObject({ count: 2, sum: 6 });
    store.expectExact();
  });

  it('forgets which users are active after a rebalance', async () => {
    await writer.write([ev('gina', 5)], H, () => true);
    writer.forget();
    // While this process did not own them, another consumer marked hank active and wrote a row of his.
    await store.markActive([{ name: 'hank', hour: H }]);
    store.upsertForTest('hank', H, [ev('hank', 8)]);
    const outcome = await writer.write([ev('hank', 1)], H, () => true);
    expect(outcome).toMatchObject({ fresh: 0, rebuilt: 1 });
    expect(store.stats.get(hourKey('hank', H))).toMatchObject({ count: 2, sum: 9 });
  });
});
