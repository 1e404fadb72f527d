import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KafkaConnection } from '@reeltime/kafka';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { Feeder } from '../support/ratings';
import { ServiceName, ServiceProcess } from '../support/service-process';

const DASHBOARD = resolve(__dirname, '..', '..', 'ops', 'grafana', 'reeltime.json');

/** PromQL words that look like metric names but are not. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/**
 * The metric names a PromQL expression reads: label matchers, ranges, strings and groupings removed,
 * then every identifier that is neither a function (followed by "(") nor a keyword.
 */
export function promqlMetricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b\d+(?:\.\d+)?(?:ms|[smhdwy])?\b/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

interface Dashboard {
  panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
}

/** Series names (sample lines) and metric families (`# TYPE` lines) of a /metrics answer. */
function exposition(text: string): { series: Set<string>; types: Map<string, string> } {
  const series = new Set<string>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1], type[2]);
    else if (line && !line.startsWith('#')) series.add(/^[^{\s]+/.exec(line)![0]);
  }
  return { series, types };
}

/**
 * The Grafana dashboard (ops/grafana/reeltime.json) against the real services: every series its PromQL
 * reads is on some service's /metrics once ratings and a dead letter have flowed through real Kafka and
 * Cassandra, and every metric the services define follows the one naming scheme.
 */
describe('the Grafana dashboard and the services’ /metrics', () => {
  const ns = testNamespace('dashseries', {
    BATCH_INTERVAL_MS: '500',
    KAFKA_PARTITIONS: '2',
    PRODUCER_RATE: '50',
    PRODUCER_USERS: '20',
  });
  const services = (['consumer', 'query', 'producer'] as ServiceName[]).map((name) => new ServiceProcess(name, ns.env));
  let kafka: KafkaConnection;
  const texts = new Map<ServiceName, string>();

  beforeAll(async () => {
    await ns.migrate();
    for (const service of services) await service.start();
    kafka = new KafkaConnection(ns.config);
    // Labelled series exist once they have a value: a dead letter, ratings written, a stats message read.
    await new Feeder(kafka, ns.config).sendRaw([{ key: 'somebody', value: 'not json' }]);
    const scrape = async (service: ServiceProcess): Promise<string> => (await fetch(`${service.url}/metrics`)).text();
    await waitFor(
      'a dead letter, written ratings and stats messages on /metrics',
      async () => {
        for (const service of services) texts.set(service.name, await scrape(service));
        const consumer = texts.get('consumer')!;
        return (
          /^reeltime_consumer_dead_letters_total\{/m.test(consumer) &&
          /^reeltime_consumer_records_total\{outcome="written"/m.test(consumer) &&
          /^reeltime_query_stats_messages_total\{[^}]*\} [1-9]/m.test(texts.get('query')!)
        );
      },
      90_000,
      1000,
    );
  });

  afterAll(async () => {
    for (const service of [...services].reverse()) await service.stop();
    await kafka?.onApplicationShutdown();
    await ns.drop();
  });

  it('finds the metric names in PromQL', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le) (rate(reeltime_consumer_flush_duration_seconds_bucket{outcome="x"}[5m])))',
      ),
    ).toEqual(['reeltime_consumer_flush_duration_seconds_bucket']);
    expect(promqlMetricNames('sum(rate(a_total[5m])) / (sum(rate(a_total[5m])) + sum(b_total offset 5m))')).toEqual([
      'a_total',
      'b_total',
    ]);
  });

  it('reads only series that the running services expose', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const queried = new Map<string, string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        for (const name of promqlMetricNames(target.expr)) queried.set(name, panel.title);
      }
    }
    expect(queried.size).toBeGreaterThan(20);
    const exposed = new Set([...texts.values()].flatMap((text) => [...exposition(text).series]));
    const missing = [...queried].filter(([name]) => !exposed.has(name)).map(([name, panel]) => `${name} (${panel})`);
    expect(missing).toEqual([]);
  });

  it('names every metric reeltime_<service>_… with its unit, apart from the standard process and Node.js ones', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [service, text] of texts) {
      for (const [name, type] of exposition(text).types) {
        if (/^(?:process|nodejs)_/.test(name)) continue;
        checked += 1;
        if (!name.startsWith(`reeltime_${service}_`)) wrong.push(`${name}: not reeltime_${service}_…`);
        if ((type === 'counter') !== name.endsWith('_total'))
          wrong.push(`${name}: a ${type}, _total is for counters only`);
        if (type === 'histogram' && !/_(?:seconds|bytes|events|messages)$/.test(name)) wrong.push(`${name}: no unit`);
        if (/_(?:ms|milliseconds|minutes|kb|mb)(?:_|$)/.test(name)) wrong.push(`${name}: not a base unit`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(25);
  });
});
