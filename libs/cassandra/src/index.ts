export * from './cassandra-session';
export { CassandraModule } from './cassandra.module';
export { CassandraHealthProbe } from './cassandra.health';
export { clientOptions } from './cassandra-options';
export { isCassandraUnavailable } from './cassandra-errors';
export * from './schema';
export * from './migrator';
export * from './cql-bytes';
