import { DynamicModule, Global, Module } from '@nestjs/common';
import { CassandraHealthProbe } from './cassandra.health';
import { CassandraSession, CassandraTuning } from './cassandra-session';

@Global()
@Module({
  providers: [CassandraSession, CassandraHealthProbe],
  exports: [CassandraSession, CassandraHealthProbe],
})
export class CassandraModule {
  /** The module with per-service driver tuning (see CassandraTuning); plain `CassandraModule` takes the defaults. */
  static forRoot(tuning: CassandraTuning): DynamicModule {
    return {
      module: CassandraModule,
      providers: [{ provide: CassandraTuning, useValue: tuning }],
    };
  }
}
