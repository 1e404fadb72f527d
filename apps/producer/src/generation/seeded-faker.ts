import { Faker, en } from '@faker-js/faker';

/**
 * The producer's random source: one Faker instance of its own (not the shared global one), seeded, so a
 * run with the same PRODUCER_SEED yields the same viewers and ratings (event ids are not seeded).
 */
export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  return faker;
}

/** A standard normal draw (Box–Muller) from the seeded source. */
export function normal(faker: Faker): number {
  const u = 1 - faker.number.float(); // (0, 1], so log() stays finite
  const v = faker.number.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
