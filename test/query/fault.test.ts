import { INestApplication } from '@nestjs/common';
import { CassandraModule, CassandraSession } from '@reeltime/cassandra';
import { hourStart } from '@reeltime/contracts';
import { KafkaConnection, KafkaModule } from '@reeltime/kafka';
import { Socket, io } from 'socket.io-client';
import { LocalInfra } from '../../tools/infra';
import { bootModule, waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { ServiceProcess } from '../support/service-process';
import { PipelineFixture } from './fixtures';
import { statsMessagesSeen } from './query-app';
import { sleep } from '@reeltime/runtime';
const rating = PipelineFixture.rating;

/** One request and how long it took. */
interface Answer {
  status: number;
  ms: number;
  body: Record<string, unknown>;
}

async function timedGet(url: string): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, ms: Date.now() - started, body };
}

/**
 * Asks `url()` (a new URL each time, so no cached answer can hide the fault) every 100 ms until an
 * answer has `status`; returns how long that took from `since` and every answer seen on the way.
 */
async function until(
  status: number,
  url: () => string,
  since: number,
  timeoutMs = 60_000,
): Promise<{ afterMs: number; answers: Answer[] }> {
  const answers: Answer[] = [];
  while (Date.now() - since < timeoutMs) {
    const answer = await timedGet(url()).catch((err: unknown): Answer => ({
      status: 0,
      ms: -1,
      body: { err: String(err) },
    }));
    answers.push(answer);
    if (answer.status === status) return { afterMs: Date.now() - since, answers };
    await sleep(100);
  }
  throw new Error(`no ${status} within ${timeoutMs} ms; last: ${JSON.stringify(answers.at(-1))}`);
}

/** Figures printed at the end, for the README and whoever tunes the timeouts. */
const figures: Record<string, number> = {};

/**
 * The query service as a separate process (dist/, as npm start runs it) while the real Cassandra or
 * Kafka JVM is killed (-9) or stopped (SIGSTOP): REST and readiness fail fast and name the dependency,
 * liveness stays 200, caches and sockets keep working, and everything recovers without a restart.
 */
describe('query service under fault', () => {
  const ns = testNamespace('qfault', { LOG_LEVEL: 'info', QUERY_CACHE_TTL_MS: '8000', QUERY_READ_TIMEOUT_MS: '800' });
  const infra = new LocalInfra();
  const query = new ServiceProcess('query', ns.env);
  const hour = hourStart(Date.now());
  const hourIso = new Date(hour).toISOString();
  let pid: number | undefined;
  let probe = 0;
  /** A read of a user nobody asked for before: it cannot be answered from the cache. */
  const uncached = () => `${query.url}/api/users/${encodeURIComponent(`probe ${++probe}`)}/hours/${hourIso}/stats`;
  const statsOf = (name: string) => `${query.url}/api/users/${encodeURIComponent(name)}/hours/${hourIso}/stats`;
  /**
   * Writes what the consumer would, with clients of the test's own opened for this and closed again:
   * none is left open while a server is killed or stopped (nor has to find its way back afterwards).
   */
  const withFixture = async <T>(use: (fixture: PipelineFixture) => Promise<T>): Promise<T> => {
    const tools: INestApplication = await bootModule([CassandraModule, KafkaModule], ns.env);
    try {
      const session = tools.get(CassandraSession);
      return await use(
        new PipelineFixture(session, ns.config, tools.get(KafkaConnection), ns.config.kafka.topics.stats),
      );
    } finally {
      await tools.close();
    }
  };
  /** Commits as the consumer does and waits until the query service has read the stats message. */
  const commit = async (ratings: Parameters<PipelineFixture['commit']>[0]) => {
    const seen = await statsMessagesSeen(query.url);
    await withFixture((fixture) => fixture.commit(ratings));
    await waitFor('the stats message', async () => (await statsMessagesSeen(query.url)) > seen);
  };

  beforeAll(async () => {
    await ns.migrate();
    await query.start();
    pid = query.pid;
    await waitFor('the stats subscription to join its group', async () => {
      const body = (await timedGet(`${query.url}/api/system`)).body as { cache?: { enabled: boolean } };
      return body.cache?.enabled;
    });
  });

  afterAll(async () => {
    // Whatever happened, leave both servers running for the next tests.
    const cassandra = infra.cassandra.process.pid();
    if (cassandra !== undefined) process.kill(cassandra, 'SIGCONT');
    await infra.cassandra.start();
    await infra.kafka.start();
    const code = await query.stop();
    if (code !== 0) process.stderr.write(query.log().slice(-8000));
    await ns.drop();
    process.stderr.write(`\n[query fault figures, ms] ${JSON.stringify(figures)}\n`);
  });

  afterEach(() => {
    expect(query.pid).toBe(pid); // never restarted
  });

  /** The query service's log, for whoever has to find out why a test failed. */
  const logOnFailure = async (test: () => Promise<void>): Promise<void> => {
    try {
      await test();
    } catch (err) {
      process.stderr.write(`\n[query log]\n${query.log().slice(-12_000)}\n`);
      throw err;
    }
  };

  it('talks to the Kafka and Cassandra of this test run', () => {
    expect(query.log()).toContain(ns.config.cassandra.contactPoints[0]);
    expect(ns.config.cassandra.contactPoints[0]).toBe(infra.cassandra.contactPoint);
    expect(ns.config.kafka.brokers[0]).toBe(infra.kafka.bootstrap);
  });

  async function expectReadinessNames(
    label: string,
    dependency: 'cassandra' | 'kafka',
    other: string,
    since: number,
  ): Promise<void> {
    const { afterMs, answers } = await until(503, () => `${query.url}/health/ready`, since, 30_000);
    figures[`${label}: readiness 503 after`] = afterMs;
    const body = answers.at(-1)!.body as {
      status: string;
      message: string;
      error: Record<string, { status: string; message: string }>;
      details: Record<string, { status: string }>;
    };
    expect(body.status).toBe('error');
    expect(Object.keys(body.error)).toEqual([dependency]);
    expect(body.error[dependency]).toEqual({ status: 'down', message: expect.any(String) });
    expect(body.message).toContain(`${dependency} is down (${body.error[dependency].message})`);
    expect(body.details[other].status).toBe('up');
    const live = await timedGet(`${query.url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.ms).toBeLessThan(200);
    expect((await timedGet(`${query.url}/health`)).status).toBe(503);
  }

  /** Once Cassandra is back (`since`): how long until uncached reads and readiness answer 200 again. */
  async function recordRecovery(label: string, event: string, since: number): Promise<void> {
    const [rest, ready] = await Promise.all([
      until(200, uncached, since),
      until(200, () => `${query.url}/health/ready`, since),
    ]);
    figures[`${label}: first REST 200 after ${event}`] = rest.afterMs;
    figures[`${label}: readiness 200 after ${event}`] = ready.afterMs;
  }

  /** While Cassandra is away: every uncached read is a 503 with the error body, each within 1 s. */
  async function expectFastUnavailable(label: string, since: number): Promise<void> {
    const { afterMs, answers } = await until(503, uncached, since, 10_000);
    figures[`${label}: first REST 503 after`] = afterMs;
    for (let i = 0; i < 10; i++) {
      answers.push(await timedGet(uncached()));
      await sleep(200);
    }
    const failures = answers.filter((a) => a.status !== 200);
    figures[`${label}: slowest REST answer during the outage`] = Math.max(...answers.map((a) => a.ms));
    for (const a of failures) {
      expect(a.status).toBe(503);
      expect(a.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/Cassandra/),
      });
      expect(a.ms).toBeLessThan(1000);
    }
    expect(failures.length).toBeGreaterThanOrEqual(10);
  }

  it('answers 503 within 1 s while Cassandra is killed (-9), names it in readiness, and recovers once it is back', () =>
    logOnFailure(async () => {
      const name = 'Killed Kim';
      await commit([rating(name, 'Heat (1995)', 7, hour + 1000)]);
      const cached = await timedGet(statsOf(name));
      expect(cached.body).toMatchObject({ count: 1 });

      await infra.cassandra.process.kill();
      const killedAt = Date.now();
      try {
        // An answer already cached is still served: the cache does not need Cassandra.
        expect(await timedGet(statsOf(name))).toMatchObject({ status: 200, body: cached.body });
        await Promise.all([
          expectFastUnavailable('cassandra kill -9', killedAt),
          expectReadinessNames('cassandra kill -9', 'cassandra', 'kafka', killedAt),
        ]);
      } finally {
        await infra.cassandra.start();
      }
      await recordRecovery('cassandra kill -9', 'the restart', Date.now());
      expect(
        (await timedGet(`${query.url}/api/users/${encodeURIComponent(name)}/hours/${hourIso}/average`)).body,
      ).toEqual({ name, hour: hourIso, average: 7, count: 1 });
    }));

  it('answers 503 within 1 s while the Cassandra JVM hangs (SIGSTOP), and recovers on SIGCONT', () =>
    logOnFailure(async () => {
      const cassandra = infra.cassandra.process.pid();
      if (cassandra === undefined) throw new Error('Cassandra is not running');
      await waitFor(
        'Cassandra answers the query service again',
        async () => (await timedGet(uncached())).status === 200,
      );
      process.kill(cassandra, 'SIGSTOP');
      const stoppedAt = Date.now();
      try {
        await Promise.all([
          expectFastUnavailable('cassandra SIGSTOP', stoppedAt),
          expectReadinessNames('cassandra SIGSTOP', 'cassandra', 'kafka', stoppedAt),
        ]);
      } finally {
        process.kill(cassandra, 'SIGCONT');
      }
      await recordRecovery('cassandra SIGSTOP', 'SIGCONT', Date.now());
    }));

  it('keeps serving cached answers (at most QUERY_CACHE_TTL_MS old) and its sockets while Kafka is killed (-9), and pushes stats again once it is back', async () => {
    const name = 'Socket Sam';
    await commit([rating(name, 'Up (2009)', 4, hour + 2000)]);
    const socket: Socket = io(`${query.url}/live`, { transports: ['websocket'], forceNew: true });
    const pushes: Array<{ name: string; count: number }> = [];
    const disconnects: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const socketId = socket.id;
      socket.on('stats', (s: { name: string; count: number }) => pushes.push(s));
      socket.on('disconnect', (reason) => disconnects.push(reason));
      const firstRead = Date.now();
      type Ack = { ok: boolean; stats: Array<{ hour: string; count: number }> };
      const ack = (await socket.emitWithAck('subscribe', { name })) as Ack;
      // The ack carries the current and the previous hour: the rating's hour is one of them even if the
      // hour has turned since the suite began.
      expect(ack.ok).toBe(true);
      expect(ack.stats.find((s) => s.hour === hourIso)).toMatchObject({ count: 1 });

      const readAt = Date.now();
      expect((await timedGet(statsOf(name))).body).toMatchObject({ count: 1 });
      await infra.kafka.process.kill();
      const killedAt = Date.now();

      // The consumer may write a batch it cannot announce while Kafka is down: here, a row and its stats.
      const written = await withFixture(async (fixture) => {
        await fixture.writeRatings([rating(name, 'Heat (1995)', 10, hour + 3000)]);
        return fixture.writeStats(name, hour);
      });
      expect(written.count).toBe(2);
      const stale = await timedGet(statsOf(name));
      expect(stale).toMatchObject({ status: 200, body: { count: 1 } });
      expect(stale.ms).toBeLessThan(200);
      expect((await timedGet(uncached())).status).toBe(200); // REST does not need Kafka

      await expectReadinessNames('kafka kill -9', 'kafka', 'cassandra', killedAt);

      // No message will drop the cached answer; its TTL does.
      await waitFor(
        'the cached answer to expire',
        async () => ((await timedGet(statsOf(name))).body as { count: number }).count === 2,
        20_000,
        100,
      );
      // The answer was cached by the subscribe ack or by the read at readAt: its age counts from then.
      const expiredAt = Date.now();
      figures['kafka kill -9: cached answer re-read after (TTL 8000)'] = expiredAt - readAt;
      expect(expiredAt - firstRead).toBeGreaterThanOrEqual(8000);
      expect(expiredAt - readAt).toBeLessThan(8000 + 2500);

      // A longer outage: kafkajs gives up retrying the broker after about a minute and restarts the
      // stats consumer. The cache stays on, and the dashboard's status does not wait for Kafka.
      await waitFor(
        'the stats consumer to crash and restart',
        () => Promise.resolve(query.log().includes('stats consumer crashed and restarts')),
        150_000,
        500,
      );
      figures['kafka kill -9: stats consumer crashed after'] = Date.now() - killedAt;
      const system = await timedGet(`${query.url}/api/system`);
      expect(system.ms).toBeLessThan(1500);
      expect(system.body).toMatchObject({ consumerLag: null, cache: { enabled: true } });
      expect(socket.connected).toBe(true);
      await infra.kafka.start();
      const backAt = Date.now();
      const ready = until(200, () => `${query.url}/health/ready`, backAt);

      // A commit after the restart.
      await withFixture(async (fixture) => {
        await fixture.writeRatings([rating(name, 'Alien (1979)', 1, hour + 4000)]);
        await fixture.publishStats([await fixture.writeStats(name, hour)]);
      });
      const pushed = await waitFor('a stats push after the restart', () =>
        Promise.resolve(pushes.find((s) => s.count === 3)),
      );
      expect(pushed).toMatchObject({ name, count: 3 });
      figures['kafka kill -9: stats push after the restart'] = Date.now() - backAt;
      figures['kafka kill -9: readiness 200 after the restart'] = (await ready).afterMs;
      // The same connection throughout, and the push dropped the cached answer.
      expect(socket.id).toBe(socketId);
      expect(disconnects).toEqual([]);
      expect((await timedGet(statsOf(name))).body).toMatchObject({ count: 3 });
    } catch (err) {
      process.stderr.write(query.log().slice(-10_000));
      throw err;
    } finally {
      socket.disconnect();
    }
  }, 240_000);
});
