import { createHash, randomUUID } from 'node:crypto';
import { Rating } from '@reeltime/contracts';
import { Producer } from '@reeltime/kafka';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { generateRatings, prng, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

/**
 * Hostile input from outside: ≥ 10,000 malformed messages of 20 kinds interleaved with 1,000 valid
 * ratings, on the real broker and Cassandra. The DLQ topic is created with a 100 KiB message limit, so
 * the consumer must both split its dead-letter sends (a 300 × 5 KB burst under one key) and cut values
 * larger than the limit (1 MB). The oracle is what the test sent: which (partition, offset) held which
 * kind of message, and the valid ratings' own aggregates.
 */
const PARTITIONS = 3;
const INTERVAL_MS = 2000;
const DLQ_MAX_MESSAGE_BYTES = 512 * 1024;

interface Outgoing {
  kind: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Set for the valid ones. */
  rating?: Rating;
}

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

function poisonKinds(rnd: () => number, base: () => Rating): Record<string, () => Omit<Outgoing, 'kind'>> {
  const event = (patch: Record<string, unknown>) => {
    const e = { ...base(), ...patch } as Record<string, unknown>;
    return { key: Buffer.from(String(e.name)), value: json(e) };
  };
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  // A valid event whose name carries bytes that are not UTF-8, in the key and in the value alike.
  const badUtf8 = (bad: Buffer) => {
    const e = base();
    const [head, tail] = JSON.stringify(e).split(e.name);
    const name = Buffer.concat([Buffer.from('user '), bad]);
    return { key: name, value: Buffer.concat([Buffer.from(head), name, Buffer.from(tail)]) };
  };
  return {
    'random bytes': () => ({ key: randomBytes(8), value: randomBytes(1 + Math.floor(rnd() * 200)) }),
    'invalid UTF-8': () => badUtf8(Buffer.from([0xff, 0xfe, 0x41])),
    'overlong UTF-8': () => badUtf8(Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf])),
    'lone surrogate (CESU-8)': () => badUtf8(Buffer.from([0xed, 0xa0, 0x80])),
    'key not UTF-8': () => {
      const e = base();
      return { key: Buffer.from([0x75, 0xff, 0x31]), value: json(e) };
    },
    BOM: () => {
      const e = base();
      return { key: Buffer.from(e.name), value: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(e)]) };
    },
    'truncated JSON': () => {
      const v = json(base());
      return { key: Buffer.from('k'), value: v.subarray(0, Math.floor(v.length * rnd())) };
    },
    'JSON not an object': () => ({
      key: Buffer.from('k'),
      value: Buffer.from(['[1,2]', '"text"', '42', 'null'][Math.floor(rnd() * 4)]),
    }),
    'wrong types': () => (rnd() < 0.5 ? event({ rating: '8' }) : event({ id: 12345 })),
    'rating out of range': () => event({ rating: [0, 11, 5.5, -1, 1e9][Math.floor(rnd() * 5)] }),
    'empty name': () => event({ name: '' }),
    'name of 101 characters': () => event({ name: 'n'.repeat(101) }),
    'name of 10,000 characters': () => event({ name: 'n'.repeat(10_000) }),
    'blank name': () => event({ name: [' ', '   ', '\t', '\u3000', ' \u3000 '][Math.floor(rnd() * 5)] }),
    'id not a UUID': () =>
      event({ id: ['not-a-uuid', '', '1234', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'][Math.floor(rnd() * 4)] }),
    'time far in the future': () => event({ time: Date.now() + 86_400_000 * (1 + Math.floor(rnd() * 300)) }),
    'time not a time': () => event({ time: ['yesterday', '2026-13-45T99:00:00Z', '', true][Math.floor(rnd() * 4)] }),
    'missing key': () => ({ key: null, value: json(base()) }),
    'key is not the name': () => {
      const e = base();
      return { key: Buffer.from(`${e.name} (someone else)`), value: json(e) };
    },
    'value of 5 KB': () => event({ movie: 'm'.repeat(5000) }),
  };
}

/** Partition by key (as a user's events must all be in one partition), so the test knows every offset. */
function partitionOf(key: Buffer | null, rnd: () => number): number {
  if (!key) return Math.floor(rnd() * PARTITIONS);
  let h = 0;
  for (const b of key) h = (h * 31 + b) >>> 0;
  return h % PARTITIONS;
}

/** Sends in order, in chunks the broker takes; returns where each message landed ("partition:offset"). */
async function sendAll(producer: Producer, topic: string, messages: Outgoing[], rnd: () => number): Promise<string[]> {
  const where: string[] = [];
  let chunk: Array<Outgoing & { partition: number }> = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const meta = await producer.send({
      topic,
      acks: -1,
      messages: chunk.map((m) => ({ key: m.key, value: m.value, partition: m.partition })),
    });
    const next = new Map(meta.map((m) => [m.partition, Number(m.baseOffset)]));
    for (const m of chunk) {
      const offset = next.get(m.partition)!;
      next.set(m.partition, offset + 1);
      where.push(`${m.partition}:${offset}`);
    }
    chunk = [];
    bytes = 0;
  };
  for (const m of messages) {
    const size = (m.key?.length ?? 0) + (m.value?.length ?? 0) + 100;
    if (bytes + size > 900_000) await flush();
    chunk.push({ ...m, partition: partitionOf(m.key, rnd) });
    bytes += size;
  }
  await flush();
  return where;
}

describe('a poison fuzz against the real consumer', () => {
  const bed = new ConsumerTestBed('fuzz', {
    LOG_LEVEL: 'info',
    KAFKA_PARTITIONS: String(PARTITIONS),
    BATCH_INTERVAL_MS: String(INTERVAL_MS),
  });
  const { ns } = bed;

  beforeAll(async () => {
    await bed.setUp();
    const admin = await bed.kafka.admin();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: ns.config.kafka.topics.dlq,
          numPartitions: PARTITIONS,
          configEntries: [{ name: 'max.message.bytes', value: String(DLQ_MAX_MESSAGE_BYTES) }],
        },
      ],
    });
  });
  afterAll(() => bed.tearDown());

  it('dead-letters every malformed message with its reason, stores every valid one, and never stalls', async () => {
    const rnd = prng(2026);
    const valid = generateRatings({ users: 60, count: 1000, seed: 11, lateFraction: 0.1 });
    let n = 0;
    const base = (): Rating => ({ ...valid[n++ % valid.length], id: randomUUID() });
    const kinds = poisonKinds(rnd, base);
    const poison: Outgoing[] = [];
    for (const [kind, make] of Object.entries(kinds)) {
      for (let i = 0; i < 500; i++) poison.push({ kind, ...make() });
    }
    const megabyte = Buffer.alloc(1_000_000, 0x7b);
    for (let i = 0; i < 5; i++) {
      megabyte[i] = 0x30 + i; // five different values, told apart by their digests
      poison.push({ kind: 'value of 1 MB', key: Buffer.from(`big ${i}`), value: Buffer.from(megabyte) });
    }
    const burst: Outgoing[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'burst of 5 KB under one key',
      key: Buffer.from('one key'),
      value: Buffer.from(`${i}:${'x'.repeat(5000)}`),
    }));
    expect(poison.length + burst.length).toBeGreaterThanOrEqual(10_000);
    expect(new Set([...poison, ...burst].map((p) => p.kind)).size).toBeGreaterThanOrEqual(15);

    // Interleaved: the valid ones spread among the poison, the burst in one piece in the middle.
    const messages: Outgoing[] = [
      ...poison,
      ...valid.map((r) => ({ kind: 'valid', rating: r, key: Buffer.from(r.name), value: json(r) })),
    ];
    for (let i = messages.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [messages[i], messages[j]] = [messages[j], messages[i]];
    }
    messages.splice(Math.floor(messages.length / 2), 0, ...burst);

    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const pid = consumer.pid;
    try {
      const producer = bed.kafka.createProducer({ idempotent: true });
      await producer.connect();
      const firstSent = Date.now();
      const where = await sendAll(producer, ns.config.kafka.topics.ratings, messages, rnd);
      const lastSent = Date.now();
      await producer.disconnect();

      const lagFree = await waitFor(
        'the consumer group to have committed everything',
        async () => {
          const lag = await bed.kafka.lag(ns.config.kafka.consumerGroup, ns.config.kafka.topics.ratings);
          return lag.every((p) => p.lag === 0) ? Date.now() : undefined;
        },
        120_000,
        100,
      );
      const catchUpMs = lagFree - lastSent;
      const flushes = consumer
        .log()
        .split('\n')
        .filter((l) => l.includes('"msg":"flushed"'))
        .map((l) => JSON.parse(l) as Record<string, number>)
        .map(
          (f) =>
            `${f.time - lastSent}: ${f.ratings}+${f.deadLetters} in ${f.ms} ms (dead letters ${f.deadLettersMs} ms)`,
        );
      process.stdout.write(
        `[fuzz] ${messages.length} messages sent in ${lastSent - firstSent} ms; lag 0 ${catchUpMs} ms after the last send\n` +
          `[fuzz] flushes (ms after the last send: ratings + dead letters): ${flushes.join(' ')}\n`,
      );

      // Every malformed (partition, offset), and nothing else, in the DLQ, each with a reason.
      const expected = new Map<string, Outgoing>();
      messages.forEach((m, i) => m.kind !== 'valid' && expected.set(where[i], m));
      const letters = await readDlq(bed, ns.config.kafka.topics.dlq, expected.size);
      const byKind = new Map<string, number>();
      for (const [at, m] of expected) {
        const letter = letters.get(at);
        if (!letter) throw new Error(`${m.kind} at ${at} is not in the DLQ`);
        expect(letter.headers.error).toBeTruthy();
        expect(letter.headers['source-topic']).toBe(ns.config.kafka.topics.ratings);
        // Whole, or cut to fit the DLQ topic with headers that describe the whole original value.
        const original = m.value ?? Buffer.alloc(0);
        const got = letter.value ?? Buffer.alloc(0);
        expect(original.subarray(0, got.length).equals(got)).toBe(true);
        if (original.length > DLQ_MAX_MESSAGE_BYTES) expect(got.length).toBeLessThan(DLQ_MAX_MESSAGE_BYTES);
        if (got.length < original.length) {
          expect(letter.headers['original-size']).toBe(String(original.length));
          expect(letter.headers['original-sha256']).toBe(createHash('sha256').update(original).digest('hex'));
        }
        byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
      }
      expect(letters.size).toBe(expected.size);
      process.stdout.write(`[fuzz] dead letters per kind: ${JSON.stringify(Object.fromEntries(byKind))}\n`);

      // Every valid one stored, stats and trending exact, and nothing malformed stored.
      const cql = await bed.cql();
      await waitForExact(cql, valid, 60_000);
      const rows = await cql.execute('SELECT COUNT(*) FROM records');
      expect(Number(rows.rows[0].get(0))).toBe(valid.length);

      // Not stalled: caught up within a few micro-batches (2 on a quiet machine, 4.5 s seen at load 5–7).
      expect(catchUpMs).toBeLessThanOrEqual(4 * INTERVAL_MS);
      expect(consumer.pid).toBe(pid);
      expect(consumer.log()).not.toMatch(/kafka consumer crashed|"msg":"flush failed/);
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
  });
});

/** Reads the DLQ topic from the start until `count` letters are in, keyed by "partition:offset" of their source. */
async function readDlq(
  bed: ConsumerTestBed,
  topic: string,
  count: number,
): Promise<Map<string, { value: Buffer | null; headers: Record<string, string> }>> {
  const out = new Map<string, { value: Buffer | null; headers: Record<string, string> }>();
  const reader = bed.kafka.createConsumer({ groupId: `${bed.ns.id}.dlq-reader`, maxBytesPerPartition: 2 << 20 });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({
    eachMessage: ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      out.set(`${headers['source-partition']}:${headers['source-offset']}`, { value: message.value, headers });
      return Promise.resolve();
    },
  });
  try {
    await waitFor(`${count} dead letters`, () => Promise.resolve(out.size >= count), 60_000).catch(() => undefined);
    // Anything beyond the expected ones would arrive now: wait a moment for it.
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await reader.disconnect();
  }
  // Those the topic did not take are in the fallback table.
  const cql = await bed.cql();
  const rows = await cql.execute(
    'SELECT source_topic, source_partition, source_offset, value, original_size, original_sha256, error FROM dead_letters',
    [],
    { fetchSize: 100_000 },
  );
  process.stdout.write(`[fuzz] ${out.size} dead letters in the topic, ${rows.rowLength} in the table\n`);
  for (const row of rows.rows) {
    out.set(`${row.get('source_partition') as number}:${String(row.get('source_offset'))}`, {
      value: row.get('value') as Buffer,
      headers: {
        error: row.get('error') as string,
        'source-topic': row.get('source_topic') as string,
        'original-size': String(row.get('original_size')),
        'original-sha256': row.get('original_sha256') as string,
      },
    });
  }
  return out;
}
