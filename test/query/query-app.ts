import { INestApplication } from '@nestjs/common';
import { CassandraSession } from '@reeltime/cassandra';
import { Env } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { bootstrap } from '../../apps/query/src/bootstrap';
import { waitFor } from '../support/app';
import { TestNamespace } from '../support/namespace';
import { PipelineFixture } from './fixtures';

export interface QueryUnderTest {
  app: INestApplication;
  url: string;
  fixture: PipelineFixture;
}

/** Boots the query service in-process on the namespace's port and waits until it caches (its stats group joined). */
export async function startQuery(ns: TestNamespace, extra: Env = {}): Promise<QueryUnderTest> {
  const env = { ...ns.env, ...extra };
  const app = await bootstrap(env);
  const url = `http://127.0.0.1:${env.QUERY_PORT}`;
  try {
    await waitFor('the stats subscription to join its group', async () => {
      const token = env.QUERY_READ_TOKEN;
      const res = await fetch(`${url}/api/system`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const body = (await res.json()) as { cache: { enabled: boolean } };
      return body.cache.enabled;
    });
  } catch (err) {
    // Nobody else holds the app yet: left running, its Kafka readers keep Jest (and CI) from exiting.
    await app.close();
    throw err;
  }
  const fixture = new PipelineFixture(
    app.get(CassandraSession),
    ns.config,
    app.get(KafkaConnection),
    ns.config.kafka.topics.stats,
  );
  return { app, url, fixture };
}

/**
 * A suite's query service: migrates the namespace and starts the service before the suite, closes it
 * and drops the namespace after. The object is filled in by the suite's beforeAll.
 */
export function queryForSuite(ns: TestNamespace, extra: Env = {}): QueryUnderTest {
  const suite = {} as QueryUnderTest;
  beforeAll(async () => {
    await ns.migrate();
    Object.assign(suite, await startQuery(ns, extra));
  });
  afterAll(async () => {
    await (suite.app as INestApplication | undefined)?.close();
    await ns.drop();
  });
  return suite;
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** How many stats messages the instance has read (its Prometheus counter): to know a message has been handled. */
export async function statsMessagesSeen(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^reeltime_query_stats_messages_total\{[^}]*\} (\d+)/m.exec(text);
  return Number(match?.[1] ?? 0);
}
