import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import type { Response } from 'express';
import { HealthController } from './health.controller';
import { HEALTH_PROBES, HealthProbe } from './health-probe';

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

/** The readiness route with these probes, as Nest wires it (terminus included); no server. */
async function ready(probes: HealthProbe[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [{ provide: HEALTH_PROBES, useValue: probes }],
  }).compile();
  let status = 200;
  const res = { status: (code: number) => (status = code) } as unknown as Response;
  const report = await moduleRef.get(HealthController).ready(res);
  return { status, report };
}

describe('GET /health/ready', () => {
  it('is 200 with the details of every probe when all answer', async () => {
    const { status, report } = await ready([up('kafka'), up('cassandra')]);
    expect(status).toBe(200);
    expect(report).toEqual({
      status: 'ok',
      info: { kafka: { status: 'up', brokers: 1 }, cassandra: { status: 'up', brokers: 1 } },
      error: {},
      details: { kafka: { status: 'up', brokers: 1 }, cassandra: { status: 'up', brokers: 1 } },
    });
  });

  it('is 503 naming each dependency that is down with its error, keeping the state of the others', async () => {
    const { status, report } = await ready([
      up('kafka'),
      failing('cassandra', 'All host(s) tried for query failed'),
      failing('pipeline', 'flush failing'),
    ]);
    expect(status).toBe(503);
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
    const { report } = await ready([hung('cassandra'), up('kafka')]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.error).toEqual({ cassandra: { status: 'down', message: 'no answer within 3000 ms' } });
    expect(report.details.kafka.status).toBe('up');
  });

  it('cannot be marked up by a probe that returns a status of its own', async () => {
    const { report } = await ready([new Probe('odd', () => Promise.resolve({ status: 'down?', x: 1 }))]);
    expect(report.details.odd).toEqual({ status: 'up', x: 1 });
  });
});
