import { HOUR_MS, hourStart } from '@reeltime/contracts';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { PipelineFixture } from './fixtures';
import { getJson, queryForSuite, statsMessagesSeen } from './query-app';

const rating = PipelineFixture.rating;

describe('query answer cache', () => {
  const ns = testNamespace('querycache');
  const q = queryForSuite(ns);
  const stats = (name: string, hour: number) =>
    getJson<{ count: number; average: number }>(
      `${q.url}/api/users/${encodeURIComponent(name)}/hours/${new Date(hour).toISOString()}/stats`,
    );
  const average = (name: string, hour: number) =>
    getJson<{ count: number; average: number }>(
      `${q.url}/api/users/${encodeURIComponent(name)}/hours/${new Date(hour).toISOString()}/average`,
    );
  const movies = (name: string, hour: number) =>
    getJson<{ movies: unknown[] }>(
      `${q.url}/api/users/${encodeURIComponent(name)}/hours/${new Date(hour).toISOString()}/movies`,
    );

  it.each([
    ['the current hour', 0],
    ['a closed hour that gets late data', -5],
  ])('answers from memory until a stats message for %s says it changed', async (_label, hoursAgo) => {
    const name = `cached-${hoursAgo}`;
    const hour = hourStart(Date.now()) + hoursAgo * HOUR_MS;
    const before = await statsMessagesSeen(q.url);
    await q.fixture.commit([rating(name, 'Heat (1995)', 4, hour + 1000), rating(name, 'Up (2009)', 8, hour + 2000)]);
    // Let the first commit's message be handled, so that what is cached next is not dropped by it.
    await waitFor('the first message', async () => (await statsMessagesSeen(q.url)) > before);
    expect((await stats(name, hour)).body.count).toBe(2);
    expect((await average(name, hour)).body).toMatchObject({ count: 2, average: 6 });
    expect((await movies(name, hour)).body.movies).toHaveLength(2);

    // New rows without a message: the cached answers stay (proving they are cached) ...
    const late = [rating(name, 'Alien (1979)', 9, hour + 3000)];
    await q.fixture.writeRatings(late);
    const stored = await q.fixture.writeStats(name, hour);
    expect(stored.count).toBe(3);
    expect((await stats(name, hour)).body.count).toBe(2);
    expect((await average(name, hour)).body.count).toBe(2);
    expect((await movies(name, hour)).body.movies).toHaveLength(2);

    // ... until the stats message arrives: then every answer about that user-hour is fresh.
    await q.fixture.publishStats([stored]);
    await waitFor('fresh stats after the message', async () => (await stats(name, hour)).body.count === 3, 15_000, 50);
    expect((await average(name, hour)).body).toMatchObject({ count: 3, average: 7 });
    expect((await movies(name, hour)).body.movies).toHaveLength(3);
  });

  it('a message for one user-hour leaves other users and hours cached', async () => {
    const hour = hourStart(Date.now()) - 2 * HOUR_MS;
    const before = await statsMessagesSeen(q.url);
    await q.fixture.commit([rating('keep-a', 'Heat (1995)', 5, hour), rating('drop-b', 'Heat (1995)', 5, hour)]);
    await waitFor('both messages', async () => (await statsMessagesSeen(q.url)) >= before + 2);
    expect((await stats('drop-b', hour)).body.count).toBe(1);
    expect((await stats('keep-a', hour)).body.count).toBe(1);
    await q.fixture.writeRatings([
      rating('keep-a', 'Up (2009)', 7, hour + 1),
      rating('drop-b', 'Up (2009)', 7, hour + 1),
    ]);
    await q.fixture.writeStats('keep-a', hour);
    await q.fixture.publishStats([await q.fixture.writeStats('drop-b', hour)]);
    await waitFor('drop-b refreshed', async () => (await stats('drop-b', hour)).body.count === 2, 15_000, 50);
    expect((await stats('keep-a', hour)).body.count).toBe(1);
  });
});
