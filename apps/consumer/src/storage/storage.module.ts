import { Module } from '@nestjs/common';
import { CassandraRatingsStore } from './cassandra-ratings.store';
import { CassandraDeadLetterStore, DeadLetterStore } from './dead-letter.store';
import { RatingsStore } from './ratings.store';

/** The consumer's tables, behind the ports the pipeline uses. */
@Module({
  providers: [
    { provide: RatingsStore, useClass: CassandraRatingsStore },
    { provide: DeadLetterStore, useClass: CassandraDeadLetterStore },
  ],
  exports: [RatingsStore, DeadLetterStore],
})
export class StorageModule {}
