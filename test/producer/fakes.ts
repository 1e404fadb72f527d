/** Test doubles for the producer's unit specs, kept under test/ so that the build leaves them out. */
import { Rating } from '@reeltime/contracts';
import { EventPublisher, PublisherStats } from '../../apps/producer/src/publishing/event-publisher';
import { Clock } from '@reeltime/runtime';

/** A clock the test moves by hand. */
export class FakeClock extends Clock {
  constructor(public time = Date.UTC(2026, 10, 21, 10, 0, 0)) {
    super();
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

/** Keeps published ratings in memory; `capacity` makes it push back like a slow broker. */
export class MemoryPublisher extends EventPublisher {
  readonly published: Rating[] = [];
  private waiters: Array<() => void> = [];

  constructor(public capacity = Infinity) {
    super();
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  publish(rating: Rating): void {
    this.published.push(rating);
  }

  get writable(): boolean {
    return this.published.length < this.capacity;
  }

  whenWritable(): Promise<void> {
    return this.writable ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Lets `more` further events in and wakes a waiting producer. */
  release(more: number): void {
    this.capacity += more;
    this.waiters.splice(0).forEach((w) => w());
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<number> {
    return Promise.resolve(0);
  }

  stats(): PublisherStats {
    return { sent: this.published.length, errors: 0, pending: 0 };
  }
}
