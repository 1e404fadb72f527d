import { Injectable } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { LRUCache } from 'lru-cache';
import { hourStart } from '@reeltime/contracts';
import { CountSpan, MovieCount, RatingsStore } from '../storage/ratings.store';
import { PartitionsMoved } from './partitions-moved';
import { mapLimit } from '@reeltime/runtime';

/** A change one event makes to one trending row: +1 for a new rating, -1 when a rewritten row leaves a movie. */
export interface CountDelta {
  minute: number;
  movie: string;
  /** The Kafka partition the event came from, and its offset there. */
  source: number;
  offset: number;
  count: number;
  sum: number;
}

/** The rows of one (minute or hour, Kafka partition), by movie, as they are in Cassandra. */
type Slice = Map<string, MovieCount>;

/** One (span, start, Kafka partition)'s deltas, in offset order. */
interface SliceDeltas {
  key: string;
  span: CountSpan;
  start: number;
  source: number;
  deltas: CountDelta[];
}

interface SliceResult {
  key: string;
  slice: Slice;
  changed: Map<string, MovieCount>;
}

/**
 * Groups deltas by span and its start, then partition: numeric keys, so no key string per delta. Every
 * delta goes to its minute's slice and to its hour's.
 */
export function slicesOf(deltas: CountDelta[]): SliceDeltas[] {
  const bySpan: Record<CountSpan, Map<number, Map<number, CountDelta[]>>> = { minute: new Map(), hour: new Map() };
  const add = (span: CountSpan, start: number, d: CountDelta) => {
    let bySource = bySpan[span].get(start);
    if (!bySource) bySpan[span].set(start, (bySource = new Map<number, CountDelta[]>()));
    const list = bySource.get(d.source);
    if (list) list.push(d);
    else bySource.set(d.source, [d]);
  };
  for (const d of deltas) {
    add('minute', d.minute, d);
    add('hour', hourStart(d.minute), d);
  }
  return (['minute', 'hour'] as const).flatMap((span) =>
    [...bySpan[span]].flatMap(([start, bySource]) =>
      [...bySource].map(([source, list]) => ({ key: `${span}:${start}:${source}`, span, start, source, deltas: list })),
    ),
  );
}

/**
 * The rows `deltas` change, from the slice's current rows. A delta at or below a row's `countedTo` was
 * applied by an earlier attempt and is skipped: this is what makes a retried batch count each event once.
 */
export function foldDeltas(slice: Slice, deltas: CountDelta[]): Map<string, MovieCount> {
  const changed = new Map<string, MovieCount>();
  for (const d of deltas) {
    const before = slice.get(d.movie);
    if (before && d.offset <= before.countedTo) continue;
    let row = changed.get(d.movie);
    if (!row) {
      row = { movie: d.movie, count: before?.count ?? 0, sum: before?.sum ?? 0, countedTo: before?.countedTo ?? -1 };
      changed.set(d.movie, row);
    }
    row.count += d.count;
    row.sum += d.sum;
    row.countedTo = Math.max(row.countedTo, d.offset);
  }
  return changed;
}

/** Rough heap bytes per cached row (map entry, object, title) for the cache bound. */
const ROW_BYTES = 160;

/**
 * Keeps `movie_counts_by_minute` exact without a row per event. Each row counts one movie's ratings in
 * one minute among the events of one Kafka partition, and remembers the highest offset it has counted
 * (`countedTo`). Only the owner of that partition writes the row, in offset order, so:
 * - a delta whose offset is at or below `countedTo` was applied by an earlier attempt (a flush that
 *   wrote trending and then crashed before its commit) and is skipped;
 * - the rows are written before the `records` rows of the same batch, and an event whose records row
 *   already exists brings no +1 (BatchWriter), so a repeated id is counted once.
 * Current rows are cached (bounded LRU); a miss reads the (minute, partition) slice back from Cassandra.
 *
 * Every delta is applied twice, in the same way: to its minute's row and to its hour's row in
 * `movie_counts_by_hour` (long trending windows read those). Each row is fenced by its own `countedTo`,
 * so a retry after a flush that wrote one and not the other counts each event once in each.
 */
@Injectable()
export class TrendingCounter {
  private readonly lru: LRUCache<string, Slice>;

  constructor(
    private readonly store: RatingsStore,
    private readonly config: AppConfig,
  ) {
    this.lru = new LRUCache<string, Slice>({
      // A quarter of the stats cache's budget: a slice is at most one row per movie.
      maxSize: Math.max(1 << 20, Math.floor(config.batch.statsCacheMaxBytes / 4)),
      sizeCalculation: (slice) => 64 + slice.size * ROW_BYTES,
    });
  }

  /**
   * Applies one batch's deltas. The cache changes only once every write succeeded (and only if the
   * partitions did not move meanwhile); after a failure the touched slices are read again.
   */
  async apply(deltas: CountDelta[], stillCurrent: () => boolean): Promise<{ reads: number; rows: number }> {
    const slices = slicesOf(deltas);
    const counts = { reads: 0, rows: 0 };
    try {
      const results = await mapLimit(slices, this.config.batch.writeConcurrency, (s) =>
        this.applySlice(s, stillCurrent, counts),
      );
      this.remember(results, stillCurrent());
      return counts;
    } catch (err) {
      for (const { key } of slices) this.lru.delete(key);
      throw err;
    }
  }

  /** Folds a slice's deltas into its current rows (read back on a cache miss) and writes the rows they changed. */
  private async applySlice(
    s: SliceDeltas,
    stillCurrent: () => boolean,
    counts: { reads: number; rows: number },
  ): Promise<SliceResult> {
    let slice = this.lru.get(s.key);
    if (!slice) {
      counts.reads += 1;
      slice = new Map((await this.store.readMovieCounts(s.span, s.start, s.source)).map((r) => [r.movie, r]));
    }
    const changed = foldDeltas(slice, s.deltas);
    if (!stillCurrent()) throw new PartitionsMoved();
    if (changed.size) await this.store.writeMovieCounts(s.span, s.start, s.source, [...changed.values()]);
    counts.rows += changed.size;
    return { key: s.key, slice, changed };
  }

  /** Caches the written rows, or forgets the slices when the partitions moved during the writes. */
  private remember(results: SliceResult[], current: boolean): void {
    for (const { key, slice, changed } of results) {
      if (!current) {
        this.lru.delete(key);
        continue;
      }
      for (const [movie, row] of changed) slice.set(movie, row);
      // Set again so the grown slice is re-measured against the bound.
      this.lru.delete(key);
      this.lru.set(key, slice);
    }
  }

  /** Forgets every slice: after a rebalance another consumer may have written them. */
  clear(): void {
    this.lru.clear();
  }
}
