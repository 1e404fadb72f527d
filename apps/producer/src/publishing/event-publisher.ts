import { Rating } from '@reeltime/contracts';

export interface PublisherStats {
  /** Events the broker acknowledged (acks=all). */
  sent: number;
  /** Failed send attempts (each retried until it succeeds). */
  errors: number;
  /** Accepted, not yet acknowledged. */
  pending: number;
}

/**
 * Where ratings go. `publish` only queues (it never blocks); callers respect `writable` /
 * `whenWritable()` so memory stays bounded when the broker is slower than the generator.
 */
export abstract class EventPublisher {
  abstract connect(): Promise<void>;
  abstract publish(rating: Rating): void;
  abstract get writable(): boolean;
  abstract whenWritable(): Promise<void>;
  /** Resolves when everything published so far is acknowledged. */
  abstract flush(): Promise<void>;
  /** Flushes (for at most `timeoutMs`) and disconnects; returns how many events were given up. */
  abstract close(timeoutMs: number): Promise<number>;
  abstract stats(): PublisherStats;
}
