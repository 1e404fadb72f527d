import { ServiceName, ServiceProcess, serviceForSuite } from '../support/service-process';
import { testNamespace } from '../support/namespace';

/** What each service's readiness asks: the producer never touches Cassandra. */
const DEPENDENCIES: Record<ServiceName, string[]> = {
  producer: ['kafka'],
  consumer: ['cassandra', 'kafka', 'pipeline'],
  query: ['cassandra', 'kafka'],
};

describe.each<ServiceName>(['producer', 'consumer', 'query'])('%s service', (name) => {
  const ns = testNamespace(`boot${name}`, { PRODUCER_AUTOSTART: 'false', BATCH_INTERVAL_MS: '1000' });
  const service = new ServiceProcess(name, ns.env);

  serviceForSuite(ns, service);

  it('answers /health with its dependencies up', async () => {
    const res = await fetch(`${service.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    for (const dependency of DEPENDENCIES[name]) expect(body.details[dependency].status).toBe('up');
  });

  it('answers /health/live and /health/ready, the latter the same as /health', async () => {
    const live = await fetch(`${service.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', uptimeSeconds: expect.any(Number) });
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const details = Object.fromEntries(DEPENDENCIES[name].map((d) => [d, { status: 'up' }]));
    expect(await ready.json()).toMatchObject({ status: 'ok', details });
  });

  it('names each dependency and its state in its health body, the same way on every service', async () => {
    const body = (await (await fetch(`${service.url}/health`)).json()) as {
      details: Record<string, { status: string }>;
    };
    expect(Object.keys(body.details).sort()).toEqual(DEPENDENCIES[name]);
    for (const state of Object.values(body.details)) expect(state.status).toBe('up');
  });

  it('sends the security headers and no X-Powered-By on health, metrics and OpenAPI', async () => {
    for (const path of ['/health', '/health/live', '/metrics', '/docs']) {
      const res = await fetch(`${service.url}${path}`);
      expect({ path, poweredBy: res.headers.get('x-powered-by') }).toEqual({ path, poweredBy: null });
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves Prometheus metrics at /metrics', async () => {
    const res = await fetch(`${service.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(new RegExp(`process_resident_memory_bytes\\{service="${name}"\\}`));
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await service.stop()).toBe(0);
  });
});

describe('a bad setting', () => {
  it('stops start-up with a message naming the variable', async () => {
    const ns = testNamespace('badsetting');
    const service = new ServiceProcess('consumer', { ...ns.env, BATCH_INTERVAL_MS: 'soon' });
    await expect(service.start()).rejects.toThrow(/BATCH_INTERVAL_MS/);
  });

  it('stops the consumer when STATS_CACHE_MAX_MB cannot fit its heap cap, naming both settings', async () => {
    const ns = testNamespace('heapcap');
    // 200 MiB of a ~240 MiB heap limit (--max-old-space-size=192, as npm start runs it).
    const service = new ServiceProcess('consumer', { ...ns.env, STATS_CACHE_MAX_MB: '200' });
    await expect(service.start()).rejects.toThrow(/STATS_CACHE_MAX_MB[\s\S]*--max-old-space-size/);
  });
});
