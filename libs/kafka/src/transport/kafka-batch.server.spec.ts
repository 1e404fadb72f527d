import { EventEmitter } from 'node:events';
import { KafkaConnection } from '../kafka-connection';
import { KafkaBatchServer, KafkaBatchServerOptions } from './kafka-batch.server';

const STALL_MS = 75_000;

/** A server for `ratings` on the fake `kafka`, listening; `options` adds to the ratings transport's own. */
async function listening(
  kafka: unknown,
  options: Partial<KafkaBatchServerOptions> = {},
  handler: (data: { messages: Array<{ offset: string }> }) => Promise<void> = () => Promise.resolve(),
): Promise<KafkaBatchServer> {
  const server = new KafkaBatchServer(kafka as KafkaConnection, {
    groupId: 'g',
    topics: { ratings: 'ratings' },
    manualCommit: true,
    start: 'beginning',
    onStartFailure: 'fail',
    stallMs: STALL_MS,
    ...options,
  });
  server.addHandler('ratings', handler, true);
  await new Promise((resolve, reject) => void server.listen((err) => (err ? reject(err) : resolve(err))));
  return server;
}

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
    source = await listening({ createConsumer, ensureTopics: () => Promise.resolve() });
    source.on('rebalance', onRebalance);
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

describe('KafkaBatchServer that reads nothing while records wait', () => {
  const STARVED_MS = 45_000;
  let consumer: FakeConsumer & { eachBatch?: (payload: unknown) => Promise<void> };
  let created: FakeConsumer[];
  let source: KafkaBatchServer;
  /** What the broker says of partition 0: the group's committed offset and the log's end. */
  let partition0: { committed: number; end: number };
  const lag = jest.fn(() =>
    Promise.resolve([{ partition: 0, ...partition0, lag: partition0.end - Math.max(0, partition0.committed) }]),
  );

  /** The consumer stays alive the whole time: a heartbeat every second, so only starvation can replace it. */
  async function liveFor(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 1000) {
      consumer.emit('heartbeat', {});
      await jest.advanceTimersByTimeAsync(1000);
    }
  }

  beforeEach(async () => {
    jest.useFakeTimers();
    created = [];
    partition0 = { committed: 0, end: 100 };
    lag.mockClear();
    const createConsumer = (): FakeConsumer => {
      const made = new FakeConsumer() as FakeConsumer & { eachBatch?: (payload: unknown) => Promise<void> };
      made.run = jest.fn((config: { eachBatch: (payload: unknown) => Promise<void> }) => {
        made.calls.push('run');
        made.eachBatch = config.eachBatch;
        return Promise.resolve();
      }) as unknown as FakeConsumer['run'];
      created.push(made);
      return made;
    };
    source = await listening({ createConsumer, ensureTopics: () => Promise.resolve(), lag }, { starvedMs: STARVED_MS });
    consumer = created[0];
    consumer.emit('group_join', { payload: { memberAssignment: { ratings: [0] } } });
  });
  afterEach(() => jest.useRealTimers());

  it('replaces a consumer that heartbeats but hands over nothing while records wait', async () => {
    // Seen waiting at the first check after 5 s of nothing, replaced once that has lasted STARVED_MS.
    await liveFor(5_000 + STARVED_MS - 1000);
    expect(created).toHaveLength(1);
    await liveFor(6_000);
    expect(consumer.calls).toContain('disconnect');
    await jest.advanceTimersByTimeAsync(1000);
    expect(created).toHaveLength(2);
  });

  it('leaves it alone when everything waiting has been handed over, though not yet committed', async () => {
    await consumer.eachBatch?.({
      batch: {
        topic: 'ratings',
        partition: 0,
        highWatermark: '100',
        messages: [{ offset: '99', key: null, value: null }],
      },
      isStale: () => false,
      resolveOffset: () => undefined,
      heartbeat: () => Promise.resolve(),
    });
    await liveFor(3 * STARVED_MS);
    expect(created).toHaveLength(1);
    expect(lag).toHaveBeenCalled();
  });

  it('leaves it alone while nothing waits, while paused, and for partitions another member reads', async () => {
    partition0 = { committed: 100, end: 100 };
    await liveFor(3 * STARVED_MS);
    partition0 = { committed: 0, end: 100 };
    source.pause();
    await liveFor(3 * STARVED_MS);
    source.resume();
    consumer.emit('group_join', { payload: { memberAssignment: { ratings: [1] } } });
    await liveFor(3 * STARVED_MS);
    expect(created).toHaveLength(1);
    expect(consumer.calls).not.toContain('disconnect');
  });

  it('counts from the resume, not from the last batch before a pause', async () => {
    source.pause();
    await liveFor(3 * STARVED_MS);
    source.resume();
    await liveFor(STARVED_MS);
    expect(created).toHaveLength(1);
    await liveFor(10_000);
    expect(created.length).toBeGreaterThan(1);
  });

  it('leaves it to the other watchdogs when the broker cannot say what waits', async () => {
    lag.mockImplementation(() => Promise.reject(new Error('broker down')));
    await liveFor(3 * STARVED_MS);
    expect(created).toHaveLength(1);
  });
});

describe('KafkaBatchServer under back-pressure', () => {
  let eachBatch: (payload: unknown) => Promise<void>;
  let source: KafkaBatchServer;
  const handled: string[] = [];
  const resolved: string[] = [];
  /** A fetched batch of partition 0 holding one record at `offset`. */
  const fetched = (offset: string) => ({
    batch: { topic: 'ratings', partition: 0, highWatermark: '100', messages: [{ offset, key: null, value: null }] },
    isStale: () => false,
    resolveOffset: (o: string) => resolved.push(o),
    heartbeat: () => Promise.resolve(),
  });

  beforeEach(async () => {
    handled.length = 0;
    resolved.length = 0;
    const createConsumer = (): FakeConsumer => {
      const made = new FakeConsumer();
      made.run = jest.fn((config: { eachBatch: (payload: unknown) => Promise<void> }) => {
        eachBatch = config.eachBatch;
        return Promise.resolve();
      }) as unknown as FakeConsumer['run'];
      return made;
    };
    source = await listening(
      { createConsumer, ensureTopics: () => Promise.resolve() },
      {},
      (data: { messages: Array<{ offset: string }> }) => {
        handled.push(...data.messages.map((m) => m.offset));
        return Promise.resolve();
      },
    );
  });

  it('leaves a batch that arrives once paused unresolved, so kafkajs fetches it again after the resume', async () => {
    await eachBatch(fetched('1'));
    source.pause();
    // The rest of the same fetch response, handed over after the handler paused.
    await eachBatch(fetched('2'));
    expect(handled).toEqual(['1']);
    expect(resolved).toEqual(['1']);
    source.resume();
    await eachBatch(fetched('2'));
    expect(handled).toEqual(['1', '2']);
    expect(resolved).toEqual(['1', '2']);
  });
});
