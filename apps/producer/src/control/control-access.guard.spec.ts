import { loopbackRequestAllowed } from './control-access.guard';

const request = (remoteAddress: string, headers: Record<string, string>) => ({ socket: { remoteAddress }, headers });

describe('the control API without a control token', () => {
  it('answers a tool on this machine', () => {
    expect(loopbackRequestAllowed(request('127.0.0.1', { host: '127.0.0.1:3001' }))).toBe(true);
    expect(loopbackRequestAllowed(request('::1', { host: 'localhost:3001' }))).toBe(true);
    expect(loopbackRequestAllowed(request('::ffff:127.0.0.1', { host: '[::1]:3001' }))).toBe(true);
  });

  it('answers a page served from this machine (Swagger UI at /docs)', () => {
    const headers = { host: 'localhost:3001', origin: 'http://localhost:3001' };
    expect(loopbackRequestAllowed(request('127.0.0.1', headers))).toBe(true);
  });

  it.each(['10.0.0.7', '192.168.1.20', '::ffff:172.17.0.1', 'fe80::1'])('refuses a peer at %s', (address) => {
    expect(loopbackRequestAllowed(request(address, { host: '127.0.0.1:3001' }))).toBe(false);
  });

  it('refuses a web page of another site, even through a browser on this machine', () => {
    const headers = { host: '127.0.0.1:3001', origin: 'https://evil.example' };
    expect(loopbackRequestAllowed(request('127.0.0.1', headers))).toBe(false);
    expect(loopbackRequestAllowed(request('127.0.0.1', { ...headers, origin: 'null' }))).toBe(false);
  });

  it('refuses a host name rebound to 127.0.0.1', () => {
    const headers = { host: 'rebind.evil.example:3001', origin: 'http://rebind.evil.example:3001' };
    expect(loopbackRequestAllowed(request('127.0.0.1', headers))).toBe(false);
    expect(loopbackRequestAllowed(request('127.0.0.1', {}))).toBe(false);
  });
});
