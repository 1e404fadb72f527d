import { networkInterfaces } from 'node:os';
import { testNamespace } from '../support/namespace';
import { ServiceProcess, serviceForSuite } from '../support/service-process';

const TOKEN = 'producer-control-token-0123456789';

/** An address of this machine that is not loopback: a request to it arrives from a non-loopback address. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

const call = (url: string, method: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('the producer control API with PRODUCER_CONTROL_TOKEN (compiled, as npm start runs it)', () => {
  const ns = testNamespace('prodaccess', {
    PRODUCER_AUTOSTART: 'false',
    PRODUCER_CONTROL_TOKEN: TOKEN,
    PRODUCER_MAX_RATE: '2000',
  });
  const service = new ServiceProcess('producer', ns.env);
  const auth = { authorization: `Bearer ${TOKEN}` };

  serviceForSuite(ns, service);

  it.each([
    ['GET', '/producer'],
    ['POST', '/producer/start'],
    ['POST', '/producer/stop'],
    ['PUT', '/producer/rate'],
  ])('answers %s %s 401 without a token and 403 with a wrong one', async (method, path) => {
    const body = method === 'PUT' ? { rate: 10 } : undefined;
    const none = await call(`${service.url}${path}`, method, {}, body);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ statusCode: 401, message: expect.stringMatching(/Bearer/) });
    const wrong = await call(`${service.url}${path}`, method, { authorization: 'Bearer wrong-token-0123456789' }, body);
    expect(wrong.status).toBe(403);
    const basic = await call(`${service.url}${path}`, method, { authorization: `Basic ${TOKEN}` }, body);
    expect(basic.status).toBe(401);
  });

  it('does what it is told with the token', async () => {
    expect((await call(`${service.url}/producer`, 'GET', auth)).status).toBe(200);
    const rate = await call(`${service.url}/producer/rate`, 'PUT', auth, { rate: 2000 });
    expect(rate.status).toBe(200);
    expect(await rate.json()).toMatchObject({ targetRate: 2000 });
    expect((await call(`${service.url}/producer/start`, 'POST', auth)).status).toBe(200);
    expect(await (await call(`${service.url}/producer/stop`, 'POST', auth)).json()).toMatchObject({ running: false });
  });

  it('answers a rate above PRODUCER_MAX_RATE 400, naming the field and the bound', async () => {
    const res = await call(`${service.url}/producer/rate`, 'PUT', auth, { rate: 10_000_000 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: 'rate must be from 0.001 to 2000 (PRODUCER_MAX_RATE)',
    });
    const status = (await (await call(`${service.url}/producer`, 'GET', auth)).json()) as { targetRate: number };
    expect(status.targetRate).toBe(2000);
  });

  it('grants no cross-site preflight: a page elsewhere cannot send the token', async () => {
    const res = await fetch(`${service.url}/producer/rate`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toBeNull();
  });

  it.each(['/producer', '/health', '/health/live', '/metrics', '/docs'])(
    'sends the security headers and no X-Powered-By on %s',
    async (path) => {
      const res = await fetch(`${service.url}${path}`, { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    },
  );

  it('listens on loopback only by default (BIND_ADDRESS=127.0.0.1)', async () => {
    const address = externalAddress();
    if (address === undefined) return; // no other address on this machine: nothing else could connect
    await expect(fetch(`http://${address}:${service.port}/health`)).rejects.toThrow();
  });
});

describe('the producer control API without a control token', () => {
  const ns = testNamespace('prodloopback', { PRODUCER_AUTOSTART: 'false', BIND_ADDRESS: '0.0.0.0' });
  const service = new ServiceProcess('producer', ns.env);

  serviceForSuite(ns, service);

  it('answers requests from this machine', async () => {
    expect((await call(`${service.url}/producer`, 'GET')).status).toBe(200);
    expect((await call(`http://localhost:${service.port}/producer/rate`, 'PUT', {}, { rate: 30 })).status).toBe(200);
  });

  it('refuses a web page of another site, even in a browser on this machine (no CSRF)', async () => {
    const res = await call(`${service.url}/producer/start`, 'POST', { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    const status = (await (await call(`${service.url}/producer`, 'GET')).json()) as { running: boolean };
    expect(status.running).toBe(false);
  });

  it('answers 403 to a request from another address, but keeps health and metrics open to it', async () => {
    const address = externalAddress();
    if (address === undefined) {
      // Covered by the guard's unit test (apps/producer/src/control/control-access.guard.spec.ts).
      return;
    }
    const res = await call(`http://${address}:${service.port}/producer/rate`, 'PUT', {}, { rate: 40 });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      statusCode: 403,
      message: expect.stringMatching(/PRODUCER_CONTROL_TOKEN/),
    });
    expect((await fetch(`http://${address}:${service.port}/health`)).status).toBe(200);
    expect((await fetch(`http://${address}:${service.port}/metrics`)).status).toBe(200);
  });
});
