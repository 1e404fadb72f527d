import { errors, types } from 'cassandra-driver';
import { ConfigError } from '@reeltime/config';
import { isCassandraUnavailable, missingKeyspace } from './cassandra-errors';

describe('isCassandraUnavailable', () => {
  const socketClosed = Object.assign(new errors.DriverInternalError('Socket was closed'), { isSocketError: true });

  it.each([
    ['no host available', new errors.NoHostAvailableError({})],
    ['a client-side timeout', new errors.OperationTimedOutError('timed out', '127.0.0.1:9042')],
    ['a socket closed under the request', socketClosed],
    ['too few replicas', new errors.ResponseError(types.responseErrorCodes.unavailableException, 'unavailable')],
    ['a server-side read timeout', new errors.ResponseError(types.responseErrorCodes.readTimeout, 'timeout')],
    ['an overloaded node', new errors.ResponseError(types.responseErrorCodes.overloaded, 'overloaded')],
  ])('is true for %s', (_label, err) => {
    expect(isCassandraUnavailable(err)).toBe(true);
  });

  it.each([
    ['a syntax error', new errors.ResponseError(types.responseErrorCodes.syntaxError, 'bad cql')],
    ['an invalid query', new errors.ResponseError(types.responseErrorCodes.invalid, 'Invalid paging state')],
    ['an error of the application', new Error('NoHostAvailable in a message')],
    ['something that is not an error', 'down'],
  ])('is false for %s', (_label, err) => {
    expect(isCassandraUnavailable(err)).toBe(false);
  });
});

describe('missingKeyspace', () => {
  it('turns the driver\'s "does not exist" into a setting error that says how to create it', () => {
    const err = new errors.ResponseError(0x2200, "Keyspace 'nowhere' does not exist");
    const config = missingKeyspace(err, 'nowhere');
    expect(config).toBeInstanceOf(ConfigError);
    expect(config?.variable).toBe('CASSANDRA_KEYSPACE');
    expect(config?.message).toContain('npm run db:migrate');
  });

  it('leaves every other error as it is', () => {
    expect(missingKeyspace(new errors.ResponseError(0x2200, 'unconfigured table records'), 'ks')).toBeUndefined();
    expect(missingKeyspace(new Error("Keyspace 'ks' does not exist"), 'ks')).toBeUndefined();
  });
});
