import { KafkaConnection } from '@reeltime/kafka';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { ServiceProcess, serviceForSuite } from '../support/service-process';

describe('the compiled query service (dist/, as npm start runs it)', () => {
  const ns = testNamespace('queryproc');
  const service = new ServiceProcess('query', ns.env);

  serviceForSuite(ns, service);

  it.each([
    ['/', 'text/html', /<title>reeltime/],
    // The bundle esbuild made from apps/query/dashboard/src (it writes string literals in double quotes).
    ['/assets/app.js', 'text/javascript', /io\(["']\/live["']/],
    ['/assets/style.css', 'text/css', /--accent/],
    ['/vendor/chart.umd.js', 'text/javascript', /Chart/],
    ['/vendor/socket.io.min.js', 'javascript', /io/],
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
      'reeltime_query_cache_entries',
      'reeltime_query_cache_misses_total',
      'reeltime_query_stats_messages_total',
      'reeltime_query_live_sockets',
    ]) {
      expect(text).toMatch(new RegExp(`^${metric}\\{`, 'm'));
    }
  });

  it('exits 0 on SIGTERM and leaves none of its own consumer groups behind', async () => {
    const kafka = new KafkaConnection(ns.config);
    try {
      const admin = await kafka.admin();
      const own = async () =>
        (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith(ns.config.kafka.queryGroupPrefix));
      await waitFor('the feed, stats and dead-letter groups', async () =>
        (await own()).length === 3 ? true : undefined,
      );
      expect(await service.stop()).toBe(0);
      expect(await own()).toEqual([]);
    } finally {
      await kafka.onApplicationShutdown();
    }
  });
});
