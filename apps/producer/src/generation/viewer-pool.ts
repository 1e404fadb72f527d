import { Faker } from '@faker-js/faker';
import { normal } from './seeded-faker';

export interface Viewer {
  name: string;
  /** Added to every rating: some viewers are generous, some harsh, so averages differ between users. */
  bias: number;
  /** Genres this viewer rates higher / lower than others do. */
  likes: ReadonlySet<string>;
  dislikes: ReadonlySet<string>;
}

const MAX_NAME = 100;

/**
 * `count` viewers with Faker full names, unique (a repeated name gets " 2", " 3", … appended) and a
 * taste each. Everything comes from the seeded Faker, so the same seed gives the same viewers.
 */
export function createViewers(faker: Faker, count: number, genres: readonly string[]): Viewer[] {
  const taken = new Set<string>();
  const nextSuffix = new Map<string, number>();
  const viewers: Viewer[] = [];
  for (let i = 0; i < count; i++) {
    const base = faker.person.fullName().slice(0, MAX_NAME - 8);
    let name = base;
    if (taken.has(name)) {
      let k = nextSuffix.get(base) ?? 2;
      while (taken.has(`${base} ${k}`)) k++;
      name = `${base} ${k}`;
      nextSuffix.set(base, k + 1);
    }
    taken.add(name);
    const shuffled = faker.helpers.shuffle([...genres]);
    viewers.push({
      name,
      bias: Math.max(-3, Math.min(3, normal(faker) * 1.3)),
      likes: new Set(shuffled.slice(0, 2)),
      dislikes: new Set(shuffled.slice(2, 3)),
    });
  }
  return viewers;
}
