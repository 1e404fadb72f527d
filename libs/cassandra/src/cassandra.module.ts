import { Global, Module } from '@nestjs/common';
import { CassandraHealthProbe } from './cassandra.health';
import { CassandraSession } from './cassandra-session';

@Global()
@Module({
  providers: [CassandraSession, CassandraHealthProbe],
  exports: [CassandraSession, CassandraHealthProbe],
})
export class CassandraModule {}
