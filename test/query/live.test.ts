import { DLQ_HEADERS, HOUR_MS, PipelineHealth, encodeRatingEvent, hourStart } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { Socket, io } from 'socket.io-client';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { PipelineFixture } from './fixtures';
import { QueryUnderTest, startQuery } from './query-app';

const rating = PipelineFixture.rating;

function connect(url: string): Promise<Socket> {
  const socket = io(`${url}/live`, { transports: ['websocket'], forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Everything a socket receives, by event name. */
function record(socket: Socket): Map<string, unknown[]> {
  const seen = new Map<string, unknown[]>();
  socket.onAny((event: string, payload: unknown) => seen.set(event, [...(seen.get(event) ?? []), payload]));
  return seen;
}

describe('socket.io /live', () => {
  const ns = testNamespace('querylive', { QUERY_TRENDING_REFRESH_MS: '300', QUERY_FEED_INTERVAL_MS: '100' });
  const second = { QUERY_PORT: String(Number(ns.env.QUERY_PORT) + 1000) };
  let a: QueryUnderTest;
  let b: QueryUnderTest;
  const sockets: Socket[] = [];
  const open = async (q: QueryUnderTest) => {
    const s = await connect(q.url);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    await ns.migrate();
    [a, b] = await Promise.all([startQuery(ns), startQuery(ns, second)]);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.app.close(), b?.app.close()]);
    await ns.drop();
  });

  it('acks a subscribe with the current and previous hour, then pushes stats when a commit touches the user', async () => {
    const name = 'Live Lena';
    const now = hourStart(Date.now());
    await a.fixture.commit([
      rating(name, 'Heat (1995)', 6, now - HOUR_MS + 10),
      rating(name, 'Up (2009)', 9, now + 10),
    ]);
    const socket = await open(a);
    const seen = record(socket);
    type Ack = { ok: boolean; stats: Array<{ hour: string; count: number; average: number }> };
    const subscribe = (): Promise<Ack> => socket.emitWithAck('subscribe', { name });
    await waitFor('stats of the first commit', async () => (await subscribe()).stats[0].count === 1);
    const ack = await subscribe();
    expect(ack.ok).toBe(true);
    expect(ack.stats.map((s) => [s.hour, s.count, s.average])).toEqual([
      [new Date(now).toISOString(), 1, 9],
      [new Date(now - HOUR_MS).toISOString(), 1, 6],
    ]);

    seen.delete('stats');
    await a.fixture.commit([
      rating(name, 'Alien (1979)', 4, now + 20),
      rating('Someone Else', 'Up (2009)', 1, now + 20),
    ]);
    const pushed = await waitFor('a stats push', () =>
      Promise.resolve(seen.get('stats')?.[0] as Record<string, unknown>),
    );
    expect(pushed).toMatchObject({
      name,
      hour: new Date(now).toISOString(),
      count: 2,
      sum: 13,
      average: 6.5,
      min: 4,
      max: 9,
      histogram: [0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    });
    // Only the subscribed user's stats reach this socket.
    expect((seen.get('stats') ?? []).every((s) => (s as { name: string }).name === name)).toBe(true);
  });

  it('stops pushing after unsubscribe', async () => {
    const name = 'Leaving Leo';
    const now = hourStart(Date.now());
    const socket = await open(a);
    const seen = record(socket);
    expect((await socket.emitWithAck('subscribe', { name })).ok).toBe(true);
    expect(await socket.emitWithAck('unsubscribe', { name })).toEqual({ ok: true });
    const watcher = await open(a);
    const watched = record(watcher);
    await watcher.emitWithAck('subscribe', { name });
    await a.fixture.commit([rating(name, 'Heat (1995)', 3, now + 30)]);
    await waitFor('the other socket to get it', () => Promise.resolve(watched.get('stats')?.length === 1));
    expect(seen.get('stats')).toBeUndefined();
  });

  it.each([
    ['no payload', undefined],
    ['a string', 'Alice'],
    ['no name', {}],
    ['a blank name', { name: ' ' }],
    ['a name of 101 characters', { name: 'x'.repeat(101) }],
    ['a number for a name', { name: 7 }],
  ])('answers a subscribe with %s with an error ack', async (_label, payload) => {
    const socket = sockets[0] ?? (await open(a));
    const ack = await socket.emitWithAck('subscribe', payload);
    expect(ack).toEqual({ ok: false, error: expect.stringMatching(/name|payload/) });
  });

  it('pushes a commit to the sockets of every query instance, each from its own group', async () => {
    const name = 'Shared Sue';
    const now = hourStart(Date.now());
    const [onA, onB] = await Promise.all([open(a), open(b)]);
    const [seenA, seenB] = [record(onA), record(onB)];
    await Promise.all([onA.emitWithAck('subscribe', { name }), onB.emitWithAck('subscribe', { name })]);
    await a.fixture.commit([rating(name, 'Heat (1995)', 7, now + 40)]);
    for (const seen of [seenA, seenB]) {
      const pushed = await waitFor('a push', () => Promise.resolve(seen.get('stats')?.[0]));
      expect(pushed).toMatchObject({ name, count: 1, average: 7 });
    }
  });

  it('sends a throttled feed of new ratings, trending lists and system figures', async () => {
    const socket = await open(a);
    const seen = record(socket);
    const kafka = a.app.get(KafkaConnection);
    const producer = kafka.createProducer();
    await producer.connect();
    const now = Date.now();
    const sent = Array.from({ length: 50 }, (_, i) => rating(`feeder-${i}`, `Feed Film ${i}`, (i % 10) + 1, now));
    await a.fixture.writeRatings(sent.slice(0, 5));
    // The feed consumer starts at the end of the topic: keep producing until it has seen some.
    await waitFor(
      'a feed event',
      async () => {
        await producer.send({
          topic: ns.config.kafka.topics.ratings,
          messages: sent.map((r) => ({ key: r.name, value: encodeRatingEvent(r) })),
        });
        return (seen.get('feed')?.length ?? 0) > 0;
      },
      30_000,
      500,
    );
    const feed = seen.get('feed') as Array<Array<{ name: string; movie: string; rating: number }>>;
    for (const batch of feed) expect(batch.length).toBeLessThanOrEqual(3);
    expect(sent.map((r) => r.name)).toEqual(expect.arrayContaining(feed.flat().map((f) => f.name)));

    // Rows written for five of the films: a trending list soon names them, most rated first.
    const trending = await waitFor('a trending event with the new rows', () =>
      Promise.resolve(
        (seen.get('trending') as Array<{ movies: Array<{ movie: string; count: number }> }> | undefined)?.find((t) =>
          t.movies.some((m) => m.movie === 'Feed Film 0'),
        ),
      ),
    );
    expect(trending.movies.map((m) => m.movie)).toEqual(
      expect.arrayContaining(['Feed Film 0', 'Feed Film 1', 'Feed Film 2', 'Feed Film 3', 'Feed Film 4']),
    );

    type System = { ratingsPerSecond: number; consumerLag: number | null };
    const systems = (): System[] => (seen.get('system') as System[] | undefined) ?? [];
    await waitFor('a system event with a rate', () => Promise.resolve(systems().some((s) => s.ratingsPerSecond > 0)));
    // Nobody consumes this namespace's ratings topic, so the pipeline group's lag is everything produced.
    // The lag is read at most every 2 s, so the first events after the sends may still show the empty topic.
    await waitFor('a system event with the lag of what was produced', () =>
      Promise.resolve(systems().some((s) => (s.consumerLag ?? 0) >= 50)),
    );
    expect(systems().every((s) => s.consumerLag === null || s.consumerLag >= 0)).toBe(true);
  });

  it('answers a movie’s recent raters from what its feed read', async () => {
    const kafka = a.app.get(KafkaConnection);
    const producer = kafka.createProducer();
    await producer.connect();
    const now = Date.now();
    const movie = 'Raters Film (2026)';
    const raters = Array.from({ length: 25 }, (_, i) => rating(`rater-${i}`, movie, (i % 10) + 1, now + i));
    try {
      // The feed reads from the topic's end; the raters are sent once it is known to be reading.
      await waitFor(
        'the feed to read',
        async () => {
          await producer.send({
            topic: ns.config.kafka.topics.ratings,
            messages: [{ key: 'probe', value: encodeRatingEvent(rating('probe', 'Probe Film', 5, Date.now())) }],
          });
          const body = (await (await fetch(`${a.url}/api/movies/Probe%20Film/raters`)).json()) as {
            raters: unknown[];
          };
          return body.raters.length > 0;
        },
        30_000,
        500,
      );
      await producer.send({
        topic: ns.config.kafka.topics.ratings,
        messages: raters.map((r) => ({ key: r.name, value: encodeRatingEvent(r) })),
      });
    } finally {
      await producer.disconnect();
    }
    const want = raters
      .slice(-20)
      .reverse()
      .map((r) => ({ name: r.name, rating: r.rating, time: new Date(r.time).toISOString() }));
    const url = `${a.url}/api/movies/${encodeURIComponent(movie)}/raters`;
    const answer = await waitFor('the raters', async () => {
      const body = (await (await fetch(url)).json()) as { movie: string; since: string; raters: unknown[] };
      return body.raters.length === 20 ? body : undefined;
    });
    expect(answer.movie).toBe(movie);
    expect(answer.raters).toEqual(want);
    expect(Date.parse(answer.since)).toBeLessThanOrEqual(now);
    const three = (await (await fetch(`${url}?limit=3`)).json()) as { raters: unknown[] };
    expect(three.raters).toEqual(want.slice(0, 3));
    expect((await fetch(`${url}?limit=21`)).status).toBe(400);
    expect((await fetch(`${a.url}/api/movies/%20/raters`)).status).toBe(400);
  });

  it('pushes the pipeline’s health: rates, lag per partition, dead letters, and a consumer that is not running', async () => {
    const socket = await open(a);
    const seen = record(socket);
    const health = () => (seen.get('health') as PipelineHealth[] | undefined) ?? [];
    const kafka = a.app.get(KafkaConnection);
    const producer = kafka.createProducer();
    await producer.connect();
    try {
      // The DLQ reader starts at the topic's end: keep publishing one until a push counts it.
      await waitFor(
        'a health event counting a dead letter',
        async () => {
          await producer.send({
            topic: ns.config.kafka.topics.dlq,
            messages: [
              { key: 'x', value: 'not json', headers: { [DLQ_HEADERS.error]: 'message is not valid JSON: x' } },
            ],
          });
          return health().some((h) => h.deadLetters.perMinute > 0);
        },
        30_000,
        1000,
      );
    } finally {
      await producer.disconnect();
    }
    const last = health()[health().length - 1];
    expect(last.deadLetters.latest[0]).toMatchObject({ reason: 'not_json', error: 'message is not valid JSON: x' });
    // No QUERY_PRODUCER_URL here: nobody told this instance where a producer would be.
    expect(last.services).toEqual({ kafka: 'up', cassandra: 'up', consumer: 'down', producer: 'unknown', query: 'up' });
    expect(last.lag.partitions.map((p) => p.partition)).toEqual(
      Array.from({ length: ns.config.kafka.partitions }, (_, i) => i),
    );
    // Nobody consumes this namespace's topic: the lag is all that was produced, and nothing is written.
    expect(last.lag.total).toBe(last.lag.partitions.reduce((sum, p) => sum + p.lag, 0));
    expect(last.lag.total).toBeGreaterThanOrEqual(50);
    expect(last.ratingsWritten === null || last.ratingsWritten === 0).toBe(true);
    expect(last.lastFlush).toBeNull();
    expect(last.freshness).toBeNull();
  });

  it('refuses a browser handshake from an origin that is not allowed', async () => {
    const strict = testNamespace('queryorigin', { QUERY_ALLOWED_ORIGINS: 'http://dashboard.example' });
    await strict.migrate();
    const q = await startQuery(strict);
    try {
      const headers = (origin: string) => ({ extraHeaders: { origin }, transports: ['websocket'], forceNew: true });
      const bad = io(`${q.url}/live`, headers('http://evil.example'));
      await expect(
        new Promise((resolve, reject) => {
          bad.once('connect', () => resolve('connected'));
          bad.once('connect_error', reject);
        }),
      ).rejects.toBeDefined();
      bad.disconnect();
      const good = io(`${q.url}/live`, headers('http://dashboard.example'));
      await new Promise<void>((resolve) => good.once('connect', () => resolve()));
      good.disconnect();
    } finally {
      await q.app.close();
      await strict.drop();
    }
  });
});
