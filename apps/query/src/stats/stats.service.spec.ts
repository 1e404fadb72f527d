import { HOUR_MS } from '@reeltime/contracts';
import { AnswerCache, cacheGroups } from '../cache/answer-cache';
import { MoviesPage, StatsRepository, StoredHourStats, UsersPage } from './stats.repository';
import { StatsService } from './stats.service';
import { Clock } from '@reeltime/runtime';

const H = Date.parse('2026-11-21T10:00:00Z');

class FakeRepository extends StatsRepository {
  sums = new Map<string, { count: number; sum: number }>();
  rows: StoredHourStats[] = [];
  reads = 0;
  countAndSum(name: string, hour: number) {
    this.reads += 1;
    return Promise.resolve(this.sums.get(`${name}@${hour}`) ?? { count: 0, sum: 0 });
  }
  moviesPage(): Promise<MoviesPage> {
    return Promise.resolve({ movies: [] });
  }
  hourStats(_name: string, hour: number) {
    return Promise.resolve(this.rows.find((r) => r.hour === hour));
  }
  hourRange(_name: string, from: number, to: number) {
    return Promise.resolve(this.rows.filter((r) => r.hour >= from && r.hour <= to).sort((a, b) => a.hour - b.hour));
  }
  usersPage(): Promise<UsersPage> {
    return Promise.resolve({ users: [] });
  }
}

const clock: Clock = { now: () => H + 30 * 60_000 };
const row = (hour: number, count: number, sum: number): StoredHourStats => ({
  hour,
  count,
  sum,
  min: count ? 1 : null,
  max: count ? 10 : null,
  histogram: new Array<number>(10).fill(0),
  updatedAt: hour + 1000,
});

describe('StatsService', () => {
  let repo: FakeRepository;
  let cache: AnswerCache;
  let service: StatsService;

  beforeEach(() => {
    repo = new FakeRepository();
    cache = new AnswerCache(100);
    cache.enable();
    service = new StatsService(repo, cache, clock);
  });

  it('computes the average as a float, and null when there are no ratings', async () => {
    repo.sums.set(`Alice@${H}`, { count: 3, sum: 23 });
    expect(await service.average('Alice', H)).toEqual({
      name: 'Alice',
      hour: new Date(H).toISOString(),
      average: 23 / 3,
      count: 3,
    });
    expect((await service.average('Bob', H)).average).toBeNull();
  });

  it('reads again only after a stats message drops the user-hour', async () => {
    repo.sums.set(`Alice@${H}`, { count: 1, sum: 5 });
    await service.average('Alice', H);
    repo.sums.set(`Alice@${H}`, { count: 2, sum: 12 });
    expect((await service.average('Alice', H)).count).toBe(1);
    cache.invalidate(cacheGroups.touchedBy('Alice', H));
    expect(await service.average('Alice', H)).toMatchObject({ count: 2, average: 6 });
    expect(repo.reads).toBe(2);
  });

  it('answers a count-0 stats shape for an hour without a row', async () => {
    expect(await service.stats('Alice', H)).toMatchObject({ count: 0, sum: 0, average: null, min: null, max: null });
  });

  it('answers a range oldest first, leaving out hours without ratings', async () => {
    repo.rows = [row(H, 2, 10), row(H - HOUR_MS, 0, 0), row(H - 2 * HOUR_MS, 1, 7)];
    const { hours } = await service.range('Alice', H - 2 * HOUR_MS, H);
    expect(hours.map((s) => [s.hour, s.average])).toEqual([
      [new Date(H - 2 * HOUR_MS).toISOString(), 7],
      [new Date(H).toISOString(), 5],
    ]);
  });

  it('gives a new subscriber the current and the previous hour, newest first', async () => {
    repo.rows = [row(H, 2, 10), row(H - HOUR_MS, 1, 7)];
    const [current, previous] = await service.currentAndPrevious('Alice');
    expect([current.hour, current.average, previous.hour, previous.average]).toEqual([
      new Date(H).toISOString(),
      5,
      new Date(H - HOUR_MS).toISOString(),
      7,
    ]);
  });
});
