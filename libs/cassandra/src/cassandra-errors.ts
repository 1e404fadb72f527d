import { ConfigError } from '@reeltime/config';
import { errors, types } from 'cassandra-driver';

const TRANSIENT_RESPONSES: ReadonlySet<number> = new Set([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.writeTimeout,
]);

/**
 * Whether a driver error means that Cassandra could not answer just now (no node reachable, a node
 * that does not answer in time, a connection closed under the request, too few replicas, overload)
 * rather than that the statement itself is wrong: the same request may well succeed when retried.
 */
export function isCassandraUnavailable(err: unknown): boolean {
  if (err instanceof errors.NoHostAvailableError || err instanceof errors.OperationTimedOutError) return true;
  if (err instanceof errors.BusyConnectionError) return true;
  // A node killed or restarted under an in-flight request: "Socket was closed".
  if (err instanceof errors.DriverError && (err as { isSocketError?: boolean }).isSocketError === true) return true;
  return err instanceof errors.ResponseError && TRANSIENT_RESPONSES.has(err.code);
}

/**
 * A start-up on a keyspace nobody migrated fails with the driver's "Keyspace 'x' does not exist" and
 * a stack; this says what to do instead, as a setting error (one line, naming the variable).
 */
export function missingKeyspace(err: unknown, keyspace: string): ConfigError | undefined {
  if (!(err instanceof errors.ResponseError) || !/^Keyspace '.*' does not exist/.test(err.message)) return undefined;
  return new ConfigError(
    'CASSANDRA_KEYSPACE',
    `keyspace '${keyspace}' does not exist in Cassandra: create it with npm run db:migrate (npm start and docker compose do it for you)`,
  );
}
