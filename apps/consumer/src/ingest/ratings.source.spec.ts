import { EventEmitter } from 'node:events';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { KafkaRatingsSource } from './ratings.source';

/** Just the kafkajs consumer surface the source uses, recording calls. */
class FakeConsumer extends EventEmitter {
  readonly events = { REBALANCING: 'rebalancing', GROUP_JOIN: 'group_join', CRASH: 'crash' };
  readonly calls: string[] = [];
  failConnects = 0;
  connect = jest.fn(() => {
    this.calls.push('connect');
    if (this.failConnects-- > 0) return Promise.reject(new Error('broker down'));
    return Promise.resolve();
  });
  subscribe = jest.fn(() => (this.calls.push('subscribe'), Promise.resolve()));
  run = jest.fn(() => (this.calls.push('run'), Promise.resolve()));
  disconnect = jest.fn(() => (this.calls.push('disconnect'), Promise.resolve()));
  crash(restart: boolean): void {
    this.emit('crash', { payload: { error: new Error('not retriable'), restart } });
  }
}

const config = { kafka: { consumerGroup: 'g', topics: { ratings: 'ratings' } } } as unknown as AppConfig;

describe('KafkaRatingsSource after a kafkajs crash', () => {
  let consumer: FakeConsumer;
  let source: KafkaRatingsSource;
  const handlers = { onBatch: jest.fn(), onRebalance: jest.fn() };

  beforeEach(async () => {
    jest.useFakeTimers();
    consumer = new FakeConsumer();
    const kafka = { createConsumer: () => consumer } as unknown as KafkaConnection;
    source = new KafkaRatingsSource(kafka, config);
    handlers.onRebalance.mockClear();
    await source.start(handlers);
    consumer.calls.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('rejoins by itself when kafkajs gave up, and drops what it had buffered', async () => {
    consumer.crash(false);
    expect(handlers.onRebalance).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(consumer.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumer.calls).toEqual(['connect', 'run']);
  });

  it('keeps retrying with a growing delay while the broker refuses', async () => {
    consumer.failConnects = 2;
    consumer.crash(false);
    await jest.advanceTimersByTimeAsync(1000); // fails
    await jest.advanceTimersByTimeAsync(2000); // fails
    expect(consumer.calls).toEqual(['connect', 'connect']);
    await jest.advanceTimersByTimeAsync(3999);
    expect(consumer.calls).toEqual(['connect', 'connect']);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumer.calls).toEqual(['connect', 'connect', 'connect', 'run']);
  });

  it('leaves restartable crashes to kafkajs', async () => {
    consumer.crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.calls).toEqual([]);
    expect(handlers.onRebalance).not.toHaveBeenCalled();
  });

  it('does not start consuming when stopped while it was connecting', async () => {
    let connected: () => void = () => undefined;
    consumer.connect.mockImplementationOnce(() => {
      consumer.calls.push('connect');
      return new Promise<void>((r) => (connected = r));
    });
    consumer.crash(false);
    await jest.advanceTimersByTimeAsync(1000);
    await source.stop();
    connected();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.calls).toEqual(['connect', 'disconnect', 'disconnect']);
  });

  it('does not rejoin once stopped', async () => {
    consumer.crash(false);
    await source.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.calls).toEqual(['disconnect']);
  });
});
