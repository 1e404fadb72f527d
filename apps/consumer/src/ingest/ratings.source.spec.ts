import { EventEmitter } from 'node:events';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { KafkaRatingsSource, STALL_MS } from './ratings.source';

/** Just the kafkajs consumer surface the source uses, recording calls. */
class FakeConsumer extends EventEmitter {
  readonly events = {
    REBALANCING: 'rebalancing',
    GROUP_JOIN: 'group_join',
    CRASH: 'crash',
    FETCH_START: 'fetch_start',
    HEARTBEAT: 'heartbeat',
  };
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
  let created: FakeConsumer[];
  /** How many connects each consumer created from now on refuses. */
  let refusing = 0;
  let source: KafkaRatingsSource;
  const handlers = { onBatch: jest.fn(), onRebalance: jest.fn() };

  beforeEach(async () => {
    jest.useFakeTimers();
    created = [];
    refusing = 0;
    // A new consumer each time the source creates one (at construction, and when it replaces one).
    const createConsumer = (): FakeConsumer => {
      const made = new FakeConsumer();
      made.failConnects = refusing;
      created.push(made);
      return made;
    };
    const kafka = { createConsumer } as unknown as KafkaConnection;
    source = new KafkaRatingsSource(kafka, config);
    consumer = created[0];
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

  it('replaces a consumer that stopped fetching, heartbeating, joining and crashing', async () => {
    await jest.advanceTimersByTimeAsync(STALL_MS - 5_000);
    expect(created).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(handlers.onRebalance).toHaveBeenCalledTimes(1);
    expect(consumer.calls).toEqual(['disconnect']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(created).toHaveLength(2);
    expect(created[1].calls).toEqual(['connect', 'subscribe', 'run']);
    // The replaced consumer's events no longer count.
    consumer.crash(false);
    expect(handlers.onRebalance).toHaveBeenCalledTimes(1);
  });

  it('leaves a consumer alone while it keeps fetching, paused or not, or crashing and restarting', async () => {
    for (let s = 0; s < (3 * STALL_MS) / 1000; s++) {
      consumer.emit('fetch_start', {});
      await jest.advanceTimersByTimeAsync(1000);
    }
    for (let s = 0; s < 3 * STALL_MS; s += 10_000) {
      consumer.crash(true);
      await jest.advanceTimersByTimeAsync(10_000);
    }
    expect(created).toHaveLength(1);
    expect(consumer.calls).toEqual([]);
  });

  it('retries one replacement while the broker refuses instead of piling up more', async () => {
    refusing = 100;
    await jest.advanceTimersByTimeAsync(6 * STALL_MS);
    // Rejoining keeps retrying the same replacement; the watchdog waits for it instead of piling up more.
    expect(created).toHaveLength(2);
    expect(created[1].calls.every((c) => c === 'connect')).toBe(true);
  });
});
