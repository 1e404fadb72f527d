import { testNamespace } from '../support/namespace';
import { ServiceProcess } from '../support/service-process';

describe('the compiled query service (dist/, as npm start runs it)', () => {
  const ns = testNamespace('queryproc');
  const service = new ServiceProcess('query', ns.env);

  beforeAll(async () => {
    await ns.migrate();
    await service.start();
  });
  afterAll(async () => {
    await service.kill();
    await ns.drop();
  });

  it.each([
    ['/', 'text/html', /<title>reeltime/],
    ['/assets/app.js', 'text/javascript', /io\('\/live'/],
    ['/assets/style.css', 'text/css', /--accent/],
    ['/vendor/chart.umd.js', 'text/javascript', /Chart/],
    ['/socket.io/socket.io.js', 'javascript', /io/],
  ])('serves the dashboard file %s without any CDN', async (path, type, content) => {
    const res = await fetch(`${service.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(type);
    expect(await res.text()).toMatch(content);
  });

  it('answers 404 for a file that is not part of the dashboard', async () => {
    for (const path of ['/assets/..%2Fpackage.json', '/assets/index.html', '/assets/nope.js']) {
      expect((await fetch(`${service.url}${path}`)).status).toBe(404);
    }
  });

  it('reports its cache and stats subscription on /metrics', async () => {
    await fetch(`${service.url}/api/users/Alice/hours/2026-11-20T10/stats`);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    for (const metric of [
      'query_cache_entries',
      'query_cache_misses_total',
      'query_stats_messages_total',
      'query_live_sockets',
    ]) {
      expect(text).toMatch(new RegExp(`^${metric}\\{`, 'm'));
    }
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await service.stop()).toBe(0);
  });
});
