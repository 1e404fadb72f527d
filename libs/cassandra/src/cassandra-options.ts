import { readFileSync } from 'node:fs';
import { AppConfig } from '@reeltime/config';
import { ClientOptions, auth, policies, types } from 'cassandra-driver';

/**
 * How often a node that went down is tried again. The driver's default doubles the delay up to ten
 * minutes and only reconnects on that schedule, so a service outlived a long Cassandra outage by up to
 * as long again, idle while the node was back (after 106 s down: 18 s). A few seconds is cheap.
 */
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 5000;

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
    policies: {
      reconnection: new policies.reconnection.ExponentialReconnectionPolicy(RECONNECT_BASE_MS, RECONNECT_MAX_MS, false),
    },
    pooling: { coreConnectionsPerHost: { [types.distance.local]: 2, [types.distance.remote]: 1 } },
  };
}
