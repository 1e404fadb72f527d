import { randomUUID } from 'node:crypto';
import { loadConfig } from '@reeltime/config';
import { HOUR_MS, encodeRatingEvent } from '@reeltime/contracts';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Ratings for the fuzz to find: the user and hour of the OpenAPI examples (schemathesis tries them
 * first), so that the 200 answers it checks against the document have movies, stats and users in
 * them, and a few from the last minutes for trending. Published to the fuzz namespace's ratings topic;
 * the consumer writes them.
 */
const EXAMPLE_NAME = 'Alice Smith';
const EXAMPLE_HOUR = Date.parse('2026-11-21T10:00:00Z');

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const now = Date.now();
  const ratings = [
    ...[8, 5, 10, 7, 1].map((rating, i) => ({
      name: EXAMPLE_NAME,
      movie: `Movie ${i}`,
      rating,
      time: EXAMPLE_HOUR + i * 60_000,
    })),
    { name: EXAMPLE_NAME, movie: 'Movie 0', rating: 6, time: EXAMPLE_HOUR - 3 * HOUR_MS },
    { name: 'Alina', movie: 'Movie 1', rating: 9, time: EXAMPLE_HOUR + 30_000 },
    ...[3, 9, 4].map((rating, i) => ({ name: EXAMPLE_NAME, movie: `Now ${i % 2}`, rating, time: now - i * 1000 })),
  ].map((r) => ({ id: randomUUID(), ...r }));
  const kafka = new Kafka({
    brokers: config.kafka.brokers,
    clientId: 'reeltime-fuzz-seed',
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.send({
      topic: config.kafka.topics.ratings,
      acks: -1,
      messages: ratings.map((r) => ({ key: r.name, value: encodeRatingEvent(r) })),
    });
  } finally {
    await producer.disconnect();
  }
  process.stderr.write(`[fuzz] seeded ${ratings.length} ratings on ${config.kafka.topics.ratings}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[fuzz] seeding failed: ${(err as Error).message}\n`);
  process.exit(1);
});
