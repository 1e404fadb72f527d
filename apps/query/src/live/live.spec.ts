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
});
