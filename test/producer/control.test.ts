import { INestApplication } from '@nestjs/common';
import { decodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection, KafkaModule } from '@reeltime/kafka';
import { bootstrap } from '../../apps/producer/src/bootstrap';
import { bootModule, waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { javaPartition, readTopic } from './topic-reader';

interface Status {
  running: boolean;
  mode: string;
  targetRate: number;
  generated: number;
  sent: number;
  pending: number;
  errors: number;
}

describe('producer service on the real broker', () => {
  const ns = testNamespace('prodctl', {
    PRODUCER_AUTOSTART: 'false',
    PRODUCER_RATE: '400',
    PRODUCER_USERS: '40',
    PRODUCER_SEED: '7',
    KAFKA_PARTITIONS: '6',
  });
  let app: INestApplication;
  let tools: INestApplication;
  let kafka: KafkaConnection;
  const url = `http://127.0.0.1:${ns.env.PRODUCER_PORT}`;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const status = async () => (await call('GET', '/producer')).body as unknown as Status;

  beforeAll(async () => {
    // No keyspace: the producer never touches Cassandra, and its /health asks Kafka only.
    app = await bootstrap(ns.env);
    tools = await bootModule([KafkaModule], ns.env);
    kafka = tools.get(KafkaConnection);
  });
  afterAll(async () => {
    await app?.close();
    await tools?.close();
  });

  it('waits for POST /producer/start when PRODUCER_AUTOSTART is false', async () => {
    expect(await status()).toMatchObject({ running: false, generated: 0, sent: 0, mode: 'rate', targetRate: 400 });
  });

  it('starts, sends, and on stop answers once everything generated is acknowledged', async () => {
    const started = await call('POST', '/producer/start');
    expect(started.status).toBe(200);
    expect(started.body.running).toBe(true);
    await waitFor('600 ratings', async () => (await status()).sent >= 600, 30_000);
    const stopped = await call('POST', '/producer/stop');
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ running: false, pending: 0, errors: 0 });
    expect(stopped.body.sent).toBe(stopped.body.generated);
  });

  it('wrote each rating keyed by viewer name, to the partition of its key, in the contract form', async () => {
    const { sent } = await status();
    const messages = await readTopic(kafka, ns.config.kafka.topics.ratings, `${ns.id}.check`);
    expect(messages).toHaveLength(sent);
    const partitionsOfKey = new Map<string, Set<number>>();
    const ids = new Set<string>();
    for (const m of messages) {
      const decoded = decodeRatingEvent(m.value, { now: Date.now(), maxFutureSkewMs: 300_000, maxBytes: 4096 });
      if (!decoded.ok) throw new Error(`offset ${m.offset}: ${decoded.reason}`);
      expect(m.key).toBe(decoded.rating.name);
      expect(m.partition).toBe(javaPartition(m.key!, 6));
      partitionsOfKey.set(m.key!, (partitionsOfKey.get(m.key!) ?? new Set()).add(m.partition));
      ids.add(decoded.rating.id);
    }
    expect(ids.size).toBe(sent);
    expect([...partitionsOfKey.values()].every((p) => p.size === 1)).toBe(true);
    // 40 viewers spread over the 6 partitions.
    expect(new Set(messages.map((m) => m.partition)).size).toBe(6);
  });

  it('changes the target rate with PUT /producer/rate', async () => {
    const res = await call('PUT', '/producer/rate', { rate: 250.5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ targetRate: 250.5, mode: 'rate' });
  });

  it.each([
    [{ rate: 'fast' }, /rate must be a number/],
    [{ rate: 0 }, /rate must be from 0.001 to 5000 \(PRODUCER_MAX_RATE\)/],
    [{ rate: 5000.5 }, /rate must be from 0.001 to 5000 \(PRODUCER_MAX_RATE\)/],
    [{}, /rate must be a number/],
    [{ rate: 5, speed: 2 }, /property speed should not exist/],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const res = await call('PUT', '/producer/rate', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(message);
  });

  it('reports its figures on /metrics and its dependencies on /health', async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const { sent } = await status();
    expect(metrics).toContain(`reeltime_producer_events_sent_total{service="producer"} ${sent}`);
    expect(metrics).toContain('reeltime_producer_send_errors_total{service="producer"} 0');
    expect(metrics).toMatch(/reeltime_producer_current_events_per_second\{service="producer"\} [\d.]+/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
