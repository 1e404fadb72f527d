import { banners, lagBars } from './health';
import type { PipelineHealth } from './wire';

const health = (services: Partial<PipelineHealth['services']>): PipelineHealth => ({
  time: '2026-12-03T14:00:00.000Z',
  instance: 'q1',
  ratingsIn: 10,
  ratingsWritten: 10,
  lag: { total: 0, partitions: [] },
  lastFlush: null,
  deadLetters: { perMinute: 0, latest: [] },
  freshness: null,
  services: { kafka: 'up', cassandra: 'up', consumer: 'up', producer: 'up', query: 'up', ...services },
});

describe('the degraded-state banners', () => {
  it('says nothing when all is well', () => {
    expect(banners({ connected: true, health: health({}) })).toEqual([]);
  });

  it('names Cassandra when the health push says so or a REST answer was a 503, and Kafka when it is down', () => {
    const ids = (c: Parameters<typeof banners>[0]) => banners(c).map((b) => b.text);
    expect(ids({ connected: true, health: health({ cassandra: 'down' }) })).toEqual([
      'Cassandra unavailable — showing cached figures',
    ]);
    expect(ids({ connected: true, restUnavailableAt: 1 })).toEqual(['Cassandra unavailable — showing cached figures']);
    expect(ids({ connected: true, health: health({ kafka: 'down' }) })).toEqual(['Kafka unavailable']);
  });

  it('says it is reconnecting, and no longer trusts the last push, while the socket is down', () => {
    expect(banners({ connected: false, health: health({ kafka: 'down' }) }).map((b) => b.id)).toEqual(['reconnecting']);
  });

  it('draws each partition’s lag relative to the largest', () => {
    expect(
      lagBars([
        { partition: 1, lag: 5 },
        { partition: 0, lag: 10 },
      ]).map((p) => p.share),
    ).toEqual([1, 0.5]);
    expect(lagBars([{ partition: 0, lag: 0 }])[0].share).toBe(0);
  });
});
