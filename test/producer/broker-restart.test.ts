import { INestApplication } from '@nestjs/common';
import { decodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection, KafkaModule } from '@reeltime/kafka';
// jest's module mapper has no alias for tools/infra's LocalInfra API; the relative path is what global-setup uses too.
import { LocalInfra } from '../../tools/infra';
import { bootModule, waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { ProduceCli } from './cli-process';
import { readTopic, topicSize } from './topic-reader';

/*
 * Restarts the shared Kafka broker: it briefly disturbs other tests, so this file is the only one of
 * the producer's that does it, and only once.
 */
describe('producer across a Kafka broker restart', () => {
  const ns = testNamespace('prodrestart', { KAFKA_PARTITIONS: '6', LOG_LEVEL: 'warn' });
  let tools: INestApplication;
  let kafka: KafkaConnection;

  beforeAll(async () => {
    tools = await bootModule([KafkaModule], ns.env);
    kafka = tools.get(KafkaConnection);
  });
  afterAll(() => tools?.close());

  it('delivers every rating exactly once when the broker restarts mid-run', async () => {
    const count = 40_000;
    const cli = new ProduceCli(['--count', String(count), '--rate', '2000', '--users', '300', '--json'], ns.env);
    await waitFor('the CLI to send 4000 ratings', () => Promise.resolve(cli.progress >= 4000), 60_000, 100);

    const infra = new LocalInfra();
    const pidBefore = infra.kafka.process.pid();
    expect(await infra.kafka.process.stop()).toBe(true);
    await infra.kafka.start();
    expect(infra.kafka.process.pid()).not.toBe(pidBefore);

    const summary = await cli.summary();
    expect(summary).toMatchObject({ sent: count, generated: count, lost: 0 });
    expect(cli.progress).toBeLessThan(count); // the restart happened well before the end
    // The run did meet the outage: its Kafka client logged the refused connections and lost leadership.
    expect(cli.stderr).toMatch(/ECONNREFUSED|not the leader/);

    // Nothing lost, nothing written twice: the topic holds exactly `count` records, all distinct.
    const topic = ns.config.kafka.topics.ratings;
    expect(await topicSize(kafka, topic)).toBe(count);
    const messages = await readTopic(kafka, topic, `${ns.id}.count`);
    const ids = new Set<string>();
    for (const m of messages) {
      const decoded = decodeRatingEvent(m.value, { now: Date.now(), maxFutureSkewMs: 300_000, maxBytes: 4096 });
      if (!decoded.ok) throw new Error(decoded.reason);
      ids.add(decoded.rating.id);
    }
    expect(messages).toHaveLength(count);
    expect(ids.size).toBe(count);
  }, 240_000);
});
