import { liveAccess } from './live-access';
import { originAllowed } from './live-io.adapter';
import { readSubscription } from './subscription';

describe('subscription payloads', () => {
  it('accepts {name}', () => {
    expect(readSubscription({ name: 'Alice Smith' })).toEqual({ ok: true, name: 'Alice Smith' });
  });

  it.each([
    ['a string', 'Alice'],
    ['null', null],
    ['an array', ['Alice']],
    ['no name', {}],
    ['a blank name', { name: '  ' }],
    ['a long name', { name: 'x'.repeat(101) }],
    ['a numeric name', { name: 42 }],
  ])('rejects %s with an error', (_label, body) => {
    const result = readSubscription(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/name|payload/);
  });
});

describe('allowed origins', () => {
  it('allows any origin for *, listed origins otherwise, and non-browser clients', () => {
    expect(originAllowed('http://evil.example', ['*'])).toBe(true);
    expect(originAllowed('http://dash.example', ['http://dash.example'])).toBe(true);
    expect(originAllowed('http://evil.example', ['http://dash.example'])).toBe(false);
    expect(originAllowed(undefined, ['http://dash.example'])).toBe(true);
  });

  it("always allows the service's own origin: the dashboard it serves", () => {
    expect(originAllowed('http://query.internal:3000', ['http://dash.example'], 'query.internal:3000')).toBe(true);
    expect(originAllowed('http://evil.example', ['http://dash.example'], 'query.internal:3000')).toBe(false);
  });
});

describe('the /live handshake with a read token', () => {
  const token = 'read-token-0123456789';
  const handshake = (auth: Record<string, unknown>, headers: Record<string, string> = {}) => {
    let error: (Error & { data?: unknown }) | undefined;
    liveAccess(token)({ handshake: { auth, headers } } as never, (err) => (error = err));
    return error;
  };

  it('lets in a client that sends it as auth.token or as a bearer header', () => {
    expect(handshake({ token })).toBeUndefined();
    expect(handshake({}, { authorization: `Bearer ${token}` })).toBeUndefined();
  });

  it('refuses a client without it (401) or with a wrong one (403)', () => {
    expect(handshake({})).toMatchObject({ message: expect.stringMatching(/^unauthorized/), data: { status: 401 } });
    expect(handshake({ token: 'wrong-token-0123456' })).toMatchObject({ data: { status: 403 } });
  });

  it('needs nothing when no read token is set', () => {
    let passed = false;
    liveAccess(undefined)({ handshake: { auth: {}, headers: {} } } as never, (err) => (passed = err === undefined));
    expect(passed).toBe(true);
  });
});
