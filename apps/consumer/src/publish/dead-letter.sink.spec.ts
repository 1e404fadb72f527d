import { AppConfig } from '@reeltime/config';
import { HourlyStats } from '@reeltime/contracts';
import { MetricsRegistry } from '@reeltime/observability';
import { ConsumerMetrics } from '../consumer.metrics';
import { FlushHealth } from '../ingest/flush-health';
import { DeadLetter } from '../ingest/micro-batcher';
import { DeadLetterStore, StoredDeadLetter } from '../storage/dead-letter.store';
import { DeadLetterSink } from './dead-letter.sink';
import { PipelinePublisher } from './pipeline.publisher';
import { SystemClock } from '@reeltime/runtime';

class FakePublisher extends PipelinePublisher {
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  published: DeadLetter[] = [];
  deadLetters(letters: DeadLetter[]): Promise<void> {
    if (this.mode === 'fail') return Promise.reject(new Error('MESSAGE_TOO_LARGE'));
    if (this.mode === 'hang') return new Promise(() => undefined);
    this.published.push(...letters);
    return Promise.resolve();
  }
  stats(_stats: HourlyStats[]): Promise<void> {
    return Promise.resolve();
  }
}

class FakeStore extends DeadLetterStore {
  fail = false;
  stored: Array<StoredDeadLetter & { publishError: string }> = [];
  write(letters: StoredDeadLetter[], publishError: string): Promise<void> {
    if (this.fail) return Promise.reject(new Error('cassandra unavailable'));
    this.stored.push(...letters.map((l) => ({ ...l, publishError })));
    return Promise.resolve();
  }
}

const letters: DeadLetter[] = [1, 2, 3].map((i) => ({
  source: { topic: 'ratings', partition: 2, offset: String(100 + i) },
  key: Buffer.from('k'),
  value: Buffer.from(`bad ${i}`),
  reason: 'not JSON',
}));

describe('DeadLetterSink', () => {
  let publisher: FakePublisher;
  let store: FakeStore;
  let metrics: ConsumerMetrics;
  let sink: DeadLetterSink;

  beforeEach(() => {
    publisher = new FakePublisher();
    store = new FakeStore();
    metrics = new ConsumerMetrics(new MetricsRegistry('consumer'), new FlushHealth(new SystemClock()));
    const config = { batch: { deadLetterTimeoutMs: 50 } } as AppConfig;
    sink = new DeadLetterSink(publisher, store, metrics, new SystemClock(), config);
  });

  const count = async (outcome: string): Promise<number> =>
    (await metrics.deadLetters.get()).values
      .filter((v) => v.labels.outcome === outcome)
      .reduce((sum, v) => sum + v.value, 0);

  it('publishes to the DLQ topic when the broker takes them', async () => {
    await sink.deliver(letters);
    expect(publisher.published).toHaveLength(3);
    expect(store.stored).toHaveLength(0);
    expect(await count('published')).toBe(3);
  });

  it('stores them in Cassandra, with the reason and the source offsets, when the broker refuses them', async () => {
    publisher.mode = 'fail';
    await sink.deliver(letters);
    expect(store.stored.map((l) => [l.partition, l.offset, l.reason])).toEqual([
      [2, 101, 'not JSON'],
      [2, 102, 'not JSON'],
      [2, 103, 'not JSON'],
    ]);
    expect(store.stored[0].publishError).toMatch('MESSAGE_TOO_LARGE');
    expect(await count('stored')).toBe(3);
  });

  it('waits for a broker that does not answer at most one budget', async () => {
    publisher.mode = 'hang';
    const started = Date.now();
    await sink.deliver(letters);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(store.stored).toHaveLength(3);
    expect(store.stored[0].publishError).toMatch('no answer within 50 ms');
  });

  it('counts them by kind of reason', async () => {
    await sink.deliver([
      ...letters,
      { ...letters[0], reason: 'message is not valid JSON: Unexpected end of JSON input' },
      { ...letters[0], reason: 'rating must be from 1 to 10' },
      { ...letters[0], reason: 'rating must be from 1 to 10' },
    ]);
    const values = (await metrics.deadLetters.get()).values.map((v) => [v.labels.outcome, v.labels.reason, v.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['published', 'other', 3],
        ['published', 'not_json', 1],
        ['published', 'contract', 2],
      ]),
    );
    expect(values).toHaveLength(3);
  });

  it('fails only when neither the topic nor the table takes them', async () => {
    publisher.mode = 'fail';
    store.fail = true;
    await expect(sink.deliver(letters)).rejects.toThrow('cassandra unavailable');
  });
});
