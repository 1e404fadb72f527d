import { Injectable } from '@nestjs/common';
import { HOUR_MS, hourStart } from '@reeltime/contracts';
import { RatingsStore } from '../storage/ratings.store';
import { BloomFilter } from './bloom-filter';

/**
 * Which users may have rows in a recent hour, known without reading their partitions of `records`.
 *
 * `users_by_hour` lists, per hour, every user who has rows in that hour: the batch writer marks a user
 * active there before it writes the user's first rows of the hour. So a user whom that list does not
 * hold has no rows in the hour, and a batch can take their events as new with no read-back. That is
 * the common case whenever many users are active: every user at the turn of every hour, and every user
 * this process has not seen yet.
 *
 * The list of an hour is read once (its 16 buckets), when a batch first touches the hour, into a Bloom
 * filter (about 10 bits per user); users this process marks later are added to it. Only this hour and
 * the one before are kept; an event of an older hour is treated as "maybe" and read back as before.
 * After a rebalance the filters are dropped: the partitions' previous owner may have marked users since.
 */
@Injectable()
export class ActiveUsers {
  private readonly hours = new Map<number, Promise<BloomFilter>>();

  constructor(private readonly store: RatingsStore) {}

  /** The filter of `hour`, or undefined when the hour is too old to be tracked. */
  async filterOf(hour: number, now: number): Promise<BloomFilter | undefined> {
    const oldest = hourStart(now) - HOUR_MS;
    if (hour < oldest) return undefined;
    for (const h of this.hours.keys()) if (h < oldest) this.hours.delete(h);
    let filter = this.hours.get(hour);
    if (!filter) {
      filter = this.load(hour);
      this.hours.set(hour, filter);
      // A failed read is tried again by the next batch, not remembered.
      filter.catch(() => this.hours.get(hour) === filter && this.hours.delete(hour));
    }
    return filter;
  }

  /** Records that `name` is now marked active in `hour` (call once the mark has been written). */
  async added(name: string, hour: number): Promise<void> {
    const filter = this.hours.get(hour);
    if (filter) (await filter).add(name);
  }

  clear(): void {
    this.hours.clear();
  }

  private async load(hour: number): Promise<BloomFilter> {
    const names = await this.store.readActive(hour);
    const filter = new BloomFilter(Math.max(1024, names.length * 2));
    for (const name of names) filter.add(name);
    return filter;
  }
}
