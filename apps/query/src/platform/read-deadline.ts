import { Injectable } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { waitAtMost } from '@reeltime/runtime';
import { QueryError } from '../api/query-error';

/**
 * The time one answer may wait for Cassandra (QUERY_READ_TIMEOUT_MS). The driver's own timeout is
 * made for the consumer's batch writes (CASSANDRA_REQUEST_TIMEOUT_MS, 12 s by default); a client of
 * the REST API or the dashboard should instead hear within a second that Cassandra is not answering
 * (a 503 it can retry), e.g. while a node hangs and neither answers nor closes its connections.
 */
@Injectable()
export class ReadDeadline {
  readonly ms: number;

  constructor(config: AppConfig) {
    this.ms = config.query.readTimeoutMs;
  }

  /**
   * `read`'s answer, or an `unavailable` QueryError once `ms` has passed. `read` gets `ms` to pass on
   * as the driver timeout of each of its statements, so the driver gives up on them too instead of
   * holding them for its default 12 s.
   */
  async run<T>(read: (readTimeoutMs: number) => Promise<T>): Promise<T> {
    const answer = await waitAtMost(read(this.ms), this.ms);
    if (answer === 'timeout') {
      throw new QueryError('unavailable', `Cassandra did not answer within ${this.ms} ms, retry shortly`);
    }
    return answer;
  }
}
