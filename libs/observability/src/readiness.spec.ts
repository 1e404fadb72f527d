import { HealthProbe } from './health-probe';
import { checkReadiness } from './readiness';

class Probe extends HealthProbe {
  constructor(
    readonly key: string,
    readonly check: () => Promise<Record<string, unknown>>,
  ) {
    super();
  }
}

const up = (key: string) => new Probe(key, () => Promise.resolve({ brokers: 1 }));
const failing = (key: string, message: string) => new Probe(key, () => Promise.reject(new Error(message)));
const hung = (key: string) => new Probe(key, () => new Promise(() => undefined));

describe('checkReadiness', () => {
  it('is ok with the details of every probe when all answer', async () => {
    const report = await checkReadiness([up('kafka'), up('cassandra')], 100);
    expect(report).toEqual({
      status: 'ok',
      info: { kafka: { status: 'up', brokers: 1 }, cassandra: { status: 'up', brokers: 1 } },
      error: {},
      details: { kafka: { status: 'up', brokers: 1 }, cassandra: { status: 'up', brokers: 1 } },
    });
  });

  it('names each dependency that is down with its error, and keeps the state of the others', async () => {
    const report = await checkReadiness(
      [up('kafka'), failing('cassandra', 'All host(s) tried for query failed'), failing('pipeline', 'flush failing')],
      100,
    );
    expect(report.status).toBe('error');
    expect(report.error).toEqual({
      cassandra: { status: 'down', message: 'All host(s) tried for query failed' },
      pipeline: { status: 'down', message: 'flush failing' },
    });
    expect(report.info).toEqual({ kafka: { status: 'up', brokers: 1 } });
    expect(report.message).toBe(
      'not ready: cassandra is down (All host(s) tried for query failed); pipeline is down (flush failing)',
    );
  });

  it('reports a probe that does not answer in time as down, without waiting for it', async () => {
    const started = Date.now();
    const report = await checkReadiness([hung('cassandra'), up('kafka')], 50);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.error).toEqual({ cassandra: { status: 'down', message: 'no answer within 50 ms' } });
    expect(report.details.kafka.status).toBe('up');
  });

  it('cannot be marked up by a probe that returns a status of its own', async () => {
    const report = await checkReadiness([new Probe('odd', () => Promise.resolve({ status: 'down?' }))], 50);
    expect(report.details.odd.status).toBe('up');
  });
});
