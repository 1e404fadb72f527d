import { Clock, SystemClock } from '@reeltime/runtime';
import { LRUCache } from 'lru-cache';

interface Entry {
  value: unknown;
  group: string;
  bytes: number;
}

/**
 * What an answer is taken to cost in memory: its key and its JSON as UTF-16 strings (what V8 stores at
 * most for them), plus a fixed allowance for the entry, its LRU node and its group index. An estimate,
 * but one that grows with the answer, so a few huge answers cannot hide behind an entry count.
 */
export const ENTRY_OVERHEAD_BYTES = 256;
export function answerBytes(key: string, value: unknown): number {
  return 2 * (key.length + (JSON.stringify(value)?.length ?? 0)) + ENTRY_OVERHEAD_BYTES;
}

/** Share of maxBytes that cached misses may take (they have their own, smaller LRU). */
export const MISS_SHARE = 1 / 8;

export interface AnswerCacheOptions {
  /**
   * Longest an answer is kept, counted from the start of the read that produced it; unset: until a
   * stats message drops it or the LRU evicts it.
   */
  ttlMs?: number;
  /** The clock the age of an answer is measured with (milliseconds). */
  clock?: Clock;
  /** Bytes (see answerBytes) the answers may take; a miss's LRU gets MISS_SHARE of it on top. Unset: no byte bound. */
  maxBytes?: number;
  /** Longest a miss (an answer that found nothing) is kept; unset: as long as any answer. */
  missTtlMs?: number;
}

/**
 * A bounded (LRU) cache of query answers, grouped so that one stats message can drop every answer it
 * makes stale (e.g. all pages of one user's hour).
 *
 * The race it guards against: a request reads Cassandra, a commit lands and its stats message drops
 * the group, and only then does the request store what it read. Each load therefore remembers the
 * invalidation sequence number at its start and is not stored when its group (or, conservatively, any
 * group whose record was evicted) was invalidated after that.
 *
 * Until `enable()` (the stats subscription has joined its group) nothing is stored, because a change
 * could otherwise slip by unseen.
 *
 * Stats messages are delivered at least once but can be late (Kafka down: the consumer may have written
 * a batch it cannot announce yet), so `ttlMs` bounds how old a served answer can be whatever happens to them.
 */
export class AnswerCache {
  private readonly entries: LRUCache<string, Entry>;
  /**
   * Answers that found nothing (a name nobody rated under, an empty hour), kept apart and briefly: anyone
   * can ask about any name, and those answers must not push the real ones out.
   */
  private readonly emptyAnswers: LRUCache<string, Entry>;
  private readonly groups = new Map<string, Set<string>>();
  /** group → sequence number of its last invalidation (bounded; evictions raise `forgottenUpTo`). */
  private readonly invalidatedAt: LRUCache<string, number>;
  private forgottenUpTo = 0;
  private seq = 0;
  private readonly inflight = new Map<string, { startSeq: number; group: string; promise: Promise<unknown> }>();
  private enabled = false;
  hits = 0;
  misses = 0;

  private readonly clock: Clock;

  constructor(
    readonly maxEntries: number,
    options: AnswerCacheOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    const lru = (ttlMs: number | undefined, maxBytes: number | undefined) =>
      new LRUCache<string, Entry>({
        max: maxEntries,
        ...(maxBytes === undefined ? {} : { maxSize: maxBytes, sizeCalculation: (entry: Entry) => entry.bytes }),
        ...(ttlMs === undefined
          ? {}
          : // ttlResolution 0: every lookup asks the clock (lru-cache would otherwise reuse a reading for 1 ms).
            { ttl: ttlMs, ttlResolution: 0, perf: this.clock }),
        dispose: (entry: Entry, key: string) => this.unindex(entry.group, key),
      });
    this.entries = lru(options.ttlMs, options.maxBytes);
    const missTtl =
      options.missTtlMs === undefined ? options.ttlMs : Math.min(options.missTtlMs, options.ttlMs ?? Infinity);
    this.emptyAnswers = lru(
      missTtl,
      options.maxBytes === undefined ? undefined : Math.max(1, Math.floor(options.maxBytes * MISS_SHARE)),
    );
    this.invalidatedAt = new LRUCache<string, number>({
      max: Math.max(1000, maxEntries),
      dispose: (seq, _group, reason) => {
        if (reason === 'evict') this.forgottenUpTo = Math.max(this.forgottenUpTo, seq);
      },
    });
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Answers held, misses included. */
  get size(): number {
    return this.entries.size + this.emptyAnswers.size;
  }

  /** Bytes the answers held are taken to cost (see answerBytes); 0 when the cache has no byte bound. */
  get bytes(): number {
    return this.entries.calculatedSize + this.emptyAnswers.calculatedSize;
  }

  enable(): void {
    this.enabled = true;
  }

  /** Stops caching and forgets everything (e.g. the stats subscription crashed: changes would go unseen). */
  disable(): void {
    this.enabled = false;
    this.entries.clear();
    this.emptyAnswers.clear();
    this.inflight.clear();
  }

  /**
   * The cached answer for `key`, or `load()`'s, stored under `group` unless it went stale while loading.
   * `isMiss` says whether an answer found nothing: such answers are kept apart and briefly.
   */
  async get<T>(key: string, group: string, load: () => Promise<T>, isMiss?: (value: T) => boolean): Promise<T> {
    if (!this.enabled) return load();
    const hit = this.lookup(key);
    if (hit) {
      this.hits += 1;
      return hit.value as T;
    }
    const pending = this.inflight.get(key);
    if (pending && !this.staleSince(pending.group, pending.startSeq)) return pending.promise as Promise<T>;
    this.misses += 1;
    const startSeq = this.seq;
    const startedAt = this.clock.now();
    const promise = load();
    const mine = { startSeq, group, promise };
    this.inflight.set(key, mine);
    try {
      const value = await promise;
      if (this.enabled && !this.staleSince(group, startSeq)) {
        this.store(key, group, value, startedAt, isMiss?.(value) ?? false);
      }
      return value;
    } finally {
      if (this.inflight.get(key) === mine) this.inflight.delete(key);
    }
  }

  /** The cached answer for `key`, without loading it (undefined on a miss or while caching is off). */
  peek<T>(key: string): T | undefined {
    if (!this.enabled) return undefined;
    const hit = this.lookup(key);
    if (!hit) return undefined;
    this.hits += 1;
    return hit.value as T;
  }

  /** Drops every answer in these groups, and any load of them still under way will not be stored. */
  invalidate(groups: string[]): number {
    this.seq += 1;
    let dropped = 0;
    for (const group of groups) {
      this.invalidatedAt.set(group, this.seq);
      const keys = this.groups.get(group);
      if (!keys) continue;
      for (const key of [...keys]) {
        if (this.entries.delete(key) || this.emptyAnswers.delete(key)) dropped += 1;
      }
      this.groups.delete(group);
    }
    return dropped;
  }

  private lookup(key: string): Entry | undefined {
    return this.entries.get(key) ?? this.emptyAnswers.get(key);
  }

  private store(key: string, group: string, value: unknown, startedAt: number, miss: boolean): void {
    const [into, other] = miss ? [this.emptyAnswers, this.entries] : [this.entries, this.emptyAnswers];
    other.delete(key);
    // The answer's age counts from the start of its read: Cassandra may have changed since then.
    // An answer larger than the whole bound is not stored (lru-cache refuses it), hence the check.
    into.set(key, { value, group, bytes: answerBytes(key, value) }, { start: startedAt });
    if (into.has(key)) this.index(group, key);
  }

  private staleSince(group: string, startSeq: number): boolean {
    return (this.invalidatedAt.get(group) ?? 0) > startSeq || this.forgottenUpTo > startSeq;
  }

  private index(group: string, key: string): void {
    let keys = this.groups.get(group);
    if (!keys) {
      keys = new Set();
      this.groups.set(group, keys);
    }
    keys.add(key);
  }

  private unindex(group: string, key: string): void {
    const keys = this.groups.get(group);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.groups.delete(group);
  }
}

/** Cache groups: one user's hour, one user's hour ranges, one hour's user list. */
export const cacheGroups = {
  userHour: (name: string, hour: number) => `uh\u0000${name}\u0000${hour}`,
  userRanges: (name: string) => `ur\u0000${name}`,
  hourUsers: (hour: number) => `hu\u0000${hour}`,
  /** Everything a new (user, hour) stats message can make stale. */
  touchedBy: (name: string, hour: number) => [
    cacheGroups.userHour(name, hour),
    cacheGroups.userRanges(name),
    cacheGroups.hourUsers(hour),
  ],
};
