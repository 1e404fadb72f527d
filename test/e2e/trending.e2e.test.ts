import { randomUUID } from 'node:crypto';
import { Rating } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { waitFor } from '../support/app';
import { distinctEvents, minuteOf } from '../support/exactness';
import { testNamespace } from '../support/namespace';
import { Feeder, prng } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const MINUTE_MS = 60_000;

interface TrendingAnswer {
  window: string;
  from: string;
  to: string;
  movies: Array<{ movie: string; count: number; average: number; series: number[] }>;
}

/**
 * Trending end to end: a real consumer process writes the per-minute counts, a real query process
 * answers GET /api/movies/trending, and every movie it returns must carry exactly the count and
 * average this test computes from its own distinct events inside the window, in the documented
 * order (most rated first; ties: higher average, then title). Events older than the window, and
 * re-sent ids, must not count.
 */
describe('trending movies, from the ratings topic to the REST answer', () => {
  const ns = testNamespace('trending', { BATCH_INTERVAL_MS: '1000', KAFKA_PARTITIONS: '3' });
  const consumer = new ServiceProcess('consumer', ns.env);
  const query = new ServiceProcess('query', ns.env);
  let kafka: KafkaConnection;

  const t0 = Date.now();
  const rnd = prng(2718);
  const titles = Array.from({ length: 25 }, (_, i) => `Trending Film ${String(i).padStart(2, '0')} (${1970 + i})`);
  const event = (from: number, to: number): Rating => ({
    id: randomUUID(),
    name: `viewer ${Math.floor(rnd() * 40)}`,
    // Skewed popularity, so the counts differ and the order means something.
    movie: titles[Math.floor(titles.length * rnd() ** 2)],
    rating: 1 + Math.floor(rnd() * 10),
    time: from + Math.floor(rnd() * (to - from)),
  });
  // Inside a 10-minute window for any request made within 4 minutes of t0 (the window is rounded out
  // to whole minutes): the last 5 minutes. Outside it for any request within 9 minutes: 20–40 minutes ago.
  const inside = Array.from({ length: 1500 }, () => event(t0 - 5 * MINUTE_MS, t0 - 5000));
  const outside = Array.from({ length: 300 }, () => event(t0 - 40 * MINUTE_MS, t0 - 20 * MINUTE_MS));
  const resent = [...inside.slice(0, 120), ...outside.slice(0, 30)];

  /** The test's own ranking of its distinct events (by default those in the 10-minute window). */
  const expected = (limit: number, events = inside) => {
    const totals = new Map<string, { count: number; sum: number }>();
    for (const e of distinctEvents(events).values()) {
      const t = totals.get(e.movie) ?? { count: 0, sum: 0 };
      totals.set(e.movie, { count: t.count + 1, sum: t.sum + e.rating });
    }
    return [...totals]
      .map(([movie, t]) => ({ movie, count: t.count, average: t.sum / t.count }))
      .sort((x, y) => y.count - x.count || y.average - x.average || (x.movie < y.movie ? -1 : 1))
      .slice(0, limit);
  };

  const trending = async (window: string, limit: number): Promise<TrendingAnswer> => {
    const res = await fetch(`${query.url}/api/movies/trending?window=${window}&limit=${limit}`);
    if (res.status !== 200) throw new Error(`trending: ${res.status} ${await res.text()}`);
    return (await res.json()) as TrendingAnswer;
  };

  beforeAll(async () => {
    await ns.migrate();
    kafka = new KafkaConnection(ns.config);
    await kafka.ensureTopics(Object.values(ns.config.kafka.topics));
    await Promise.all([consumer.start(), query.start()]);
  });
  afterAll(async () => {
    await consumer.stop();
    await query.stop();
    await kafka?.onApplicationShutdown();
    await ns.drop();
  });

  it('returns exactly the counts and averages of the distinct ratings in the window, every movie', async () => {
    const all = expected(100);
    expect(all.length).toBeGreaterThan(10); // at most 25 titles: limit 100 returns every one
    const feeder = new Feeder(kafka, ns.config);
    await feeder.send([...outside, ...inside]);
    await feeder.send(resent);

    const ranked = (a: TrendingAnswer) => a.movies.map(({ movie, count, average }) => ({ movie, count, average }));
    let last: TrendingAnswer | undefined;
    try {
      last = await waitFor(
        'the trending answer to equal the events in the window',
        async () => {
          const answer = await trending('10m', 100);
          last = answer;
          return JSON.stringify(ranked(answer)) === JSON.stringify(all) ? answer : undefined;
        },
        90_000,
        1000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nexpected ${JSON.stringify(all)}\nreturned ${JSON.stringify(last)}`);
    }
    expect(ranked(last)).toEqual(all);
    // Each movie's per-minute series adds up to its count.
    for (const m of last.movies) expect(m.series.reduce((a, b) => a + b, 0)).toBe(m.count);
    // The window the answer says it covers holds every in-window event and none of the others.
    const from = Date.parse(last.from);
    const to = Date.parse(last.to);
    expect(from).toBeLessThanOrEqual(minuteOf(Math.min(...inside.map((e) => e.time))));
    expect(from).toBeGreaterThan(Math.max(...outside.map((e) => e.time)));
    expect(to).toBeGreaterThanOrEqual(Math.max(...inside.map((e) => e.time)));
    expect(from).toBe(minuteOf(to - 10 * MINUTE_MS + 1));

    // A smaller limit returns the top of the same ranking, ties broken the same way.
    expect(ranked(await trending('10m', 5))).toEqual(expected(5));
    // A window that reaches 45 minutes back counts the older events too.
    expect(ranked(await trending('45m', 100))).toEqual(expected(100, [...inside, ...outside]));
    // The oracle's assumption about the request times held.
    expect(Date.now() - t0).toBeLessThan(4 * MINUTE_MS);
  });
});
