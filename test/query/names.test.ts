import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS, hourStart } from '@reeltime/contracts';
import { Socket, io } from 'socket.io-client';
import { ProduceCli } from '../producer/cli-process';
import { readTopic } from '../producer/topic-reader';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { testNamespace } from '../support/namespace';
import { Feeder } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';
import { QueryUnderTest, getJson, startQuery } from './query-app';

/** The wire form, written here rather than by the product's encoder. */
const json = (name: string, rating: number, time: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: randomUUID(),
    name,
    movie: 'Heat (1995)',
    rating,
    time: new Date(time).toISOString(),
    ...extra,
  });
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** A value whose name holds `bad` at the `|`; what Buffer#toString makes of it is the key and `storedAs`. */
function invalidValue(label: string, name: string, bad: number[], reason: RegExp) {
  const [before, after] = json(name, 5, Date.now()).split('|');
  const storedAs = name.replace('|', Buffer.from(bad).toString('utf8'));
  return { label, key: bytes(storedAs), value: bytes(before, bad, after), reason, storedAs };
}

describe('names end to end: what the consumer stores, REST and socket.io answer; what they refuse goes to the DLQ', () => {
  const bed = new ConsumerTestBed('names', { BATCH_INTERVAL_MS: '300', KAFKA_PARTITIONS: '3' });
  const ns = bed.ns;
  let consumer: ServiceProcess;
  let query: QueryUnderTest;
  let socket: Socket | undefined;
  const now = Date.now();
  const hour = hourStart(now);

  // 100 and 93 emoji are 200 and 186 UTF-16 units: what REST and subscribe used to refuse.
  const valid: Array<{ name: string; ratings: number[] }> = [
    { name: '\u{1F3AC}'.repeat(100), ratings: [7, 9] },
    { name: '\u{1F600}'.repeat(93), ratings: [3] },
    { name: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'.repeat(20), ratings: [10, 1, 4] }, // 100 code points
    { name: 'Yamada\u3000Taro', ratings: [6, 8] },
    { name: 'Zoë\u00A0Ångström', ratings: [5] },
  ];
  // Raw keys and values, each with the reason the DLQ must carry; none may reach Cassandra.
  const blank = ' \u3000\u2003 ';
  const poison: Array<{ label: string; key: Buffer; value: Buffer; reason: RegExp; storedAs?: string }> = [
    { label: 'a blank name', key: bytes(blank), value: bytes(json(blank, 5, now)), reason: /name must not be blank/ },
    {
      label: 'a tab in the name',
      key: bytes('Tab\tName'),
      value: bytes(json('Tab\tName', 5, now)),
      reason: /name must not contain control characters/,
    },
    // Keyed by the name the bad bytes used to be read as, so only the UTF-8 check can refuse them.
    invalidValue('an overlong "/" in the value', 'Over|long', [0xc0, 0xaf], /^message is not valid UTF-8 \(byte 0xc0/),
    invalidValue(
      'an encoded surrogate in the value',
      'Sur|rogate',
      [0xed, 0xa0, 0x80],
      /^message is not valid UTF-8 \(encoded surrogate/,
    ),
    // Two different raw keys that Buffer#toString reads as the same name: they used to become one user.
    {
      label: 'a key with 0xFF',
      key: bytes('Al', [0xff], 'ice'),
      value: bytes(json('Al\uFFFDice', 5, now)),
      reason: /^key is not valid UTF-8/,
      storedAs: 'Al\uFFFDice',
    },
    {
      label: 'a key with 0xFE',
      key: bytes('Al', [0xfe], 'ice'),
      value: bytes(json('Al\uFFFDice', 6, now)),
      reason: /^key is not valid UTF-8/,
    },
  ];

  beforeAll(async () => {
    await bed.setUp();
    consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    query = await startQuery(ns);
    const feeder = new Feeder(bed.kafka, ns.config);
    await feeder.sendRaw([
      ...valid.flatMap(({ name, ratings }) => ratings.map((r, i) => ({ key: name, value: json(name, r, now + i) }))),
      ...poison.map(({ key, value }) => ({ key, value })),
    ]);
  });
  afterAll(async () => {
    socket?.disconnect();
    await query?.app.close();
    expect(await consumer?.stop()).toBe(0);
    await bed.tearDown();
  });

  it('stores every valid name as sent and answers each by REST', async () => {
    for (const { name, ratings } of valid) {
      const url = `${query.url}/api/users/${encodeURIComponent(name)}/hours/${new Date(hour).toISOString()}/stats`;
      const { body } = await waitFor(`REST stats of ${name}`, async () => {
        const res = await getJson<{ name: string; count: number; sum: number }>(url);
        return res.status === 200 && res.body.count === ratings.length ? res : undefined;
      });
      expect(body).toMatchObject({ name, count: ratings.length, sum: ratings.reduce((a, b) => a + b, 0) });
    }
  });

  it('acks a socket.io subscribe to each stored name with its stats, and refuses a blank one naming the field', async () => {
    socket = io(`${query.url}/live`, { transports: ['websocket'], forceNew: true });
    type Ack = { ok: boolean; error?: string; stats?: Array<{ name: string; hour: string; count: number }> };
    for (const { name, ratings } of valid) {
      const ack = (await socket.emitWithAck('subscribe', { name })) as Ack;
      expect(ack.ok).toBe(true);
      expect(ack.stats?.find((s) => s.hour === new Date(hour).toISOString())).toMatchObject({
        name,
        count: ratings.length,
      });
    }
    expect(await socket.emitWithAck('subscribe', { name: blank })).toEqual({
      ok: false,
      error: expect.stringMatching(/^name must not be blank/),
    });
  });

  it('sends each refused message to the DLQ byte for byte, with its reason, and stores none of them', async () => {
    await waitFor('the consumer to commit everything', async () => {
      const lag = await bed.kafka.lag(ns.config.kafka.consumerGroup, ns.config.kafka.topics.ratings);
      return lag.reduce((s, p) => s + p.end, 0) === valid.flatMap((v) => v.ratings).length + poison.length &&
        lag.every((p) => p.lag === 0)
        ? lag
        : undefined;
    });
    const letters: Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, string> }> = [];
    const reader = bed.kafka.createConsumer({ groupId: `${ns.id}.dlq-reader` });
    await reader.connect();
    await reader.subscribe({ topic: ns.config.kafka.topics.dlq, fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        letters.push({ key: message.key, value: message.value, headers });
        return Promise.resolve();
      },
    });
    try {
      await waitFor('every refused message in the DLQ', () => Promise.resolve(letters.length >= poison.length));
    } finally {
      await reader.disconnect();
    }
    expect(letters).toHaveLength(poison.length);
    for (const p of poison) {
      const letter = letters.find((l) => l.key?.equals(p.key) && l.value?.equals(p.value));
      expect({ label: p.label, found: letter !== undefined }).toEqual({ label: p.label, found: true });
      expect(letter!.headers[DLQ_HEADERS.error]).toMatch(p.reason);
    }

    const cql = await bed.cql();
    const absent = [blank, 'Tab\tName', ...poison.flatMap((p) => (p.storedAs ? [p.storedAs] : []))];
    for (const name of absent) {
      const rs = await cql.execute('SELECT count(*) FROM records WHERE name = ? AND hour = ?', [name, new Date(hour)], {
        prepare: true,
      });
      expect({ name, rows: Number(rs.rows[0].get(0)) }).toEqual({ name, rows: 0 });
    }
    // The hour's users are exactly the valid names: nothing refused slipped in under another spelling.
    const users = await waitFor('the hour’s users', async () => {
      const res = await getJson<{ users: string[] }>(`${query.url}/api/hours/${new Date(hour).toISOString()}/users`);
      return res.body.users?.length === valid.length ? res.body.users : undefined;
    });
    expect([...users].sort()).toEqual(valid.map((v) => v.name).sort());
  });

  it('gives two producer runs with the same seed the same content and no shared event id', async () => {
    const runs = [
      testNamespace('namesrun1', { KAFKA_PARTITIONS: '1' }),
      testNamespace('namesrun2', { KAFKA_PARTITIONS: '1' }),
    ];
    const read: Array<Array<{ id: string; name: string; movie: string; rating: number }>> = [];
    for (const run of runs) {
      const cli = new ProduceCli(['--count', '300', '--users', '20', '--seed', '4242', '--json'], run.env);
      expect(await cli.summary()).toMatchObject({ sent: 300 });
      const messages = await readTopic(bed.kafka, run.config.kafka.topics.ratings, `${run.id}.reader`, 300);
      read.push(
        messages
          .sort((a, b) => Number(a.offset) - Number(b.offset))
          .map(
            (m) => JSON.parse(m.value!.toString('utf8')) as { id: string; name: string; movie: string; rating: number },
          ),
      );
    }
    // As a multiset: the CLI's two send lanes interleave in the topic in no fixed order.
    const content = (events: (typeof read)[0]) =>
      events.map(({ name, movie, rating }) => JSON.stringify([name, movie, rating])).sort();
    expect(read[0]).toHaveLength(300);
    expect(content(read[1])).toEqual(content(read[0]));
    const first = new Set(read[0].map((e) => e.id));
    expect(first.size).toBe(300);
    expect(read[1].filter((e) => first.has(e.id))).toEqual([]);
    const admin = await bed.kafka.admin();
    await admin.deleteTopics({ topics: runs.map((r) => r.config.kafka.topics.ratings) });
  });
});
