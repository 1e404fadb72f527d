import { bearerToken, checkBearer, isLoopback, tokenMatches } from './access';

describe('bearer tokens', () => {
  it('reads the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc.def-123')).toBe('abc.def-123');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwdw==')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares tokens whatever their lengths', () => {
    expect(tokenMatches('a-secret-token-1', 'a-secret-token-1')).toBe(true);
    expect(tokenMatches('a-secret-token-1', 'a-secret-token-2')).toBe(false);
    expect(tokenMatches('short', 'a-secret-token-1')).toBe(false);
  });

  it('tells a missing token from a wrong one, and needs none when none is configured', () => {
    expect(checkBearer(undefined, 'a-secret-token-1')).toBe('missing');
    expect(checkBearer('Bearer nope', 'a-secret-token-1')).toBe('wrong');
    expect(checkBearer('Bearer a-secret-token-1', 'a-secret-token-1')).toBe('ok');
    expect(checkBearer(undefined, undefined)).toBe('ok');
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('takes %s for this machine', (address) => {
    expect(isLoopback(address)).toBe(true);
  });

  it.each(['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '', undefined, '128.0.0.1'])(
    'takes %s for another machine',
    (address) => {
      expect(isLoopback(address)).toBe(false);
    },
  );
});
