import { INestApplication } from '@nestjs/common';
import { KafkaConnection, KafkaModule } from '@reeltime/kafka';
import { bootModule, waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { ServiceProcess } from '../support/service-process';
import { topicSize } from './topic-reader';

describe('producer service process', () => {
  const ns = testNamespace('prodterm', {
    PRODUCER_RATE: '3000',
    PRODUCER_USERS: '50',
    LOG_LEVEL: 'info',
  });
  const service = new ServiceProcess('producer', ns.env);
  let tools: INestApplication;
  let kafka: KafkaConnection;

  // No keyspace: the producer never touches Cassandra.
  beforeAll(async () => {
    tools = await bootModule([KafkaModule], ns.env);
    kafka = tools.get(KafkaConnection);
  });
  afterAll(async () => {
    await service.kill();
    await tools?.close();
  });

  it('autostarts, and on SIGTERM flushes what is pending, disconnects and exits 0', async () => {
    await service.start();
    await waitFor(
      'ratings flowing',
      async () => {
        const status = (await (await fetch(`${service.url}/producer`)).json()) as { running: boolean; sent: number };
        return status.running && status.sent >= 3000;
      },
      30_000,
    );
    expect(await service.stop()).toBe(0);

    const line = service
      .log()
      .split('\n')
      .find((l) => l.includes('"producer shut down"'));
    expect(line).toBeDefined();
    const { sent, lost, pending } = JSON.parse(line!) as { sent: number; lost: number; pending: number };
    expect({ lost, pending }).toEqual({ lost: 0, pending: 0 });
    // Every rating it reported as sent is in the topic, and nothing more.
    expect(await topicSize(kafka, ns.config.kafka.topics.ratings)).toBe(sent);
  });
});
