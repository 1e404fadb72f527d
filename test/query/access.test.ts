import { Socket, io } from 'socket.io-client';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { ServiceProcess, serviceForSuite } from '../support/service-process';

const TOKEN = 'query-read-token-0123456789';
const DASHBOARD_ORIGIN = 'https://dash.example';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The CONNECT outcome of a /live socket: 'connected', or the connect_error's message and data. */
function handshake(
  url: string,
  options: Parameters<typeof io>[1],
  namespace = '/live',
): Promise<{ connected: boolean; error?: unknown }> {
  const socket: Socket = io(`${url}${namespace}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...options,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve({ connected: true });
    });
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      resolve({ connected: false, error: { message: err.message, data: err.data } });
    });
  });
}

async function cacheHits(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^reeltime_query_cache_hits_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('the query service with QUERY_READ_TOKEN and QUERY_ALLOWED_ORIGINS (compiled, as npm start runs it)', () => {
  const ns = testNamespace('queryaccess', { QUERY_READ_TOKEN: TOKEN, QUERY_ALLOWED_ORIGINS: DASHBOARD_ORIGIN });
  const service = new ServiceProcess('query', ns.env);

  serviceForSuite(ns, service);

  it('answers REST 401 without the token, 403 with a wrong one and 200 with it', async () => {
    const url = `${service.url}/api/movies/trending?window=10m`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await fetch(url, { headers: bearer('not-the-token-0123456') })).status).toBe(403);
    expect((await fetch(url, { headers: bearer(TOKEN) })).status).toBe(200);
    expect((await fetch(`${service.url}/api/system`)).status).toBe(401);
  });

  it('never serves a cached answer without the token', async () => {
    await waitFor('the answer cache to be on', async () => {
      const res = await fetch(`${service.url}/api/system`, { headers: bearer(TOKEN) });
      return ((await res.json()) as { cache: { enabled: boolean } }).cache.enabled;
    });
    const url = `${service.url}/api/users/Alice/hours/2026-11-20T10/average`;
    expect((await fetch(url, { headers: bearer(TOKEN) })).status).toBe(200); // a miss: now cached
    const before = await cacheHits(service.url);
    expect((await fetch(url, { headers: bearer(TOKEN) })).status).toBe(200);
    expect(await cacheHits(service.url)).toBe(before + 1); // answered from the cache
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ statusCode: 401 });
    expect((await fetch(url, { headers: bearer('not-the-token-0123456') })).status).toBe(403);
    expect(await cacheHits(service.url)).toBe(before + 1);
  });

  it('refuses a socket.io handshake without the token or with a wrong one, and accepts auth.token or the bearer header', async () => {
    expect(await handshake(service.url, {})).toEqual({
      connected: false,
      error: { message: expect.stringMatching(/^unauthorized/), data: { status: 401 } },
    });
    expect(await handshake(service.url, { auth: { token: 'not-the-token-0123456' } })).toMatchObject({
      connected: false,
      error: { data: { status: 403 } },
    });
    // Not /live only: the root namespace (or any other) lets nobody in without it either.
    expect(await handshake(service.url, {}, '/')).toMatchObject({ connected: false, error: { data: { status: 401 } } });
    expect(await handshake(service.url, { auth: { token: TOKEN } })).toEqual({ connected: true });
    expect(await handshake(service.url, { extraHeaders: bearer(TOKEN) })).toEqual({ connected: true });
  });

  it('allows the listed origin by CORS, and not another', async () => {
    const url = `${service.url}/api/movies/trending`;
    const allowed = await fetch(url, { headers: { origin: DASHBOARD_ORIGIN, ...bearer(TOKEN) } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(DASHBOARD_ORIGIN);
    const denied = await fetch(url, { headers: { origin: 'https://evil.example', ...bearer(TOKEN) } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = (origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight(DASHBOARD_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(DASHBOARD_ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

    // The same list decides the socket.io handshake.
    expect(
      await handshake(service.url, { auth: { token: TOKEN }, extraHeaders: { origin: DASHBOARD_ORIGIN } }),
    ).toEqual({ connected: true });
    expect(
      await handshake(service.url, { auth: { token: TOKEN }, extraHeaders: { origin: 'https://evil.example' } }),
    ).toMatchObject({ connected: false });
  });

  it.each([
    ['the dashboard', '/'],
    ['a dashboard file', '/vendor/socket.io.min.js'],
    ['REST', '/api/movies/trending'],
    ['a cached REST answer', '/api/users/Alice/hours/2026-11-20T10/average'],
    ['a refused REST request', '/api/system'],
    ['health', '/health'],
    ['liveness', '/health/live'],
    ['metrics', '/metrics'],
    ['OpenAPI', '/docs'],
    ['a 404', '/nothing-here'],
  ])('sends the security headers and no X-Powered-By on %s (%s)', async (_what, path) => {
    const headers = path === '/api/system' ? {} : bearer(TOKEN);
    const res = await fetch(`${service.url}${path}`, { headers });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it("sends them on socket.io's own polling answers too", async () => {
    const res = await fetch(`${service.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('leaves health and metrics open: probes and scrapers send no token', async () => {
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics']) {
      expect({ path, status: (await fetch(`${service.url}${path}`)).status }).toEqual({ path, status: 200 });
    }
  });
});
