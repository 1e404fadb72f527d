import { EventEmitter } from 'node:events';
import { KafkaConnection } from '../kafka-connection';
import { KafkaBatchServer } from './kafka-batch.server';

const STALL_MS = 75_000;

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

describe('KafkaBatchServer after a kafkajs crash', () => {
  let consumer: FakeConsumer;
  let created: FakeConsumer[];
  /** How many connects each consumer created from now on refuses. */
  let refusing = 0;
  /** When set, the next consumer's connect waits until this hands it its resolve. */
  let hanging: ((resolve: () => void) => void) | undefined;
  let source: KafkaBatchServer;
  const onRebalance = jest.fn();
  const handlers = { onRebalance };

  beforeEach(async () => {
    jest.useFakeTimers();
    created = [];
    refusing = 0;
    hanging = undefined;
    // A new consumer each time the source creates one (at construction, and when it replaces one).
    const createConsumer = (): FakeConsumer => {
      const made = new FakeConsumer();
      made.failConnects = refusing;
      if (hanging) {
        const hang = hanging;
        hanging = undefined;
        made.connect.mockImplementationOnce(() => {
          made.calls.push('connect');
          return new Promise<void>((r) => hang(r));
        });
      }
      created.push(made);
      return made;
    };
    const kafka = { createConsumer, ensureTopics: () => Promise.resolve() } as unknown as KafkaConnection;
    source = new KafkaBatchServer(kafka, {
      groupId: 'g',
      topics: { ratings: 'ratings' },
      manualCommit: true,
      start: 'beginning',
      onStartFailure: 'fail',
      stallMs: STALL_MS,
    });
    source.addHandler('ratings', () => Promise.resolve(), true);
    source.on('rebalance', onRebalance);
    const listening = new Promise((resolve, reject) => void source.listen((err) => (err ? reject(err) : resolve(err))));
    await listening;
    consumer = created[0];
    onRebalance.mockClear();
    consumer.calls.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('rejoins by itself when kafkajs gave up, and drops what it had buffered', async () => {
    consumer.crash(false);
    expect(handlers.onRebalance).toHaveBeenCalledTimes(1);
    expect(consumer.calls).toEqual(['disconnect']);
    await jest.advanceTimersByTimeAsync(999);
    expect(created).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(created[1].calls).toEqual(['connect', 'subscribe', 'run']);
  });

  it('keeps retrying with a growing delay while the broker refuses', async () => {
    refusing = 1;
    consumer.crash(false);
    await jest.advanceTimersByTimeAsync(1000); // fails
    await jest.advanceTimersByTimeAsync(2000); // fails
    expect(created.slice(1).map((c) => c.calls)).toEqual([
      ['connect', 'disconnect'],
      ['connect', 'disconnect'],
    ]);
    refusing = 0;
    await jest.advanceTimersByTimeAsync(3999);
    expect(created).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(created[3].calls).toEqual(['connect', 'subscribe', 'run']);
  });

  it('leaves restartable crashes to kafkajs', async () => {
    consumer.crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.calls).toEqual([]);
    expect(handlers.onRebalance).not.toHaveBeenCalled();
  });

  it('does not start consuming when stopped while it was connecting', async () => {
    let connected: () => void = () => undefined;
    hanging = (r) => (connected = r);
    consumer.crash(false);
    await jest.advanceTimersByTimeAsync(1000);
    await source.close();
    connected();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(2);
    expect(created[1].calls).not.toContain('run');
    expect(created[1].calls[created[1].calls.length - 1]).toBe('disconnect');
  });

  it('does not rejoin once stopped', async () => {
    consumer.crash(false);
    await source.close();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(1);
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
    // One attempt at a time, on the rejoin's backoff (1, 2, 4, 8, 16, then every 30 s), each let go when
    // it fails; the watchdog waits for the rejoin instead of starting more.
    const attempts = created.slice(1);
    expect(attempts.length).toBeLessThanOrEqual(5 + Math.ceil((6 * STALL_MS - STALL_MS) / 30_000));
    expect(attempts.every((c) => c.calls.join() === 'connect,disconnect')).toBe(true);
  });
});
