import { readFileSync } from 'node:fs';
import { AppConfig } from '@reeltime/config';
import { ClientOptions, auth, types } from 'cassandra-driver';

/** Driver options from the settings: contact points, local DC, optional credentials and TLS. */
export function clientOptions(config: AppConfig['cassandra'], keyspace?: string): ClientOptions {
  return {
    contactPoints: config.contactPoints,
    localDataCenter: config.localDataCenter,
    keyspace,
    authProvider:
      config.username && config.password ? new auth.PlainTextAuthProvider(config.username, config.password) : undefined,
    sslOptions: config.tls
      ? { ca: config.tlsCaFile ? [readFileSync(config.tlsCaFile)] : undefined, rejectUnauthorized: true }
      : undefined,
    socketOptions: { connectTimeout: 5000, readTimeout: config.requestTimeoutMs },
    queryOptions: { prepare: true, consistency: types.consistencies.localQuorum },
    pooling: { coreConnectionsPerHost: { [types.distance.local]: 2, [types.distance.remote]: 1 } },
  };
}
