import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { HOUR_MS, Rating, encodeRatingEvent, hourStart } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { sleep } from '@reeltime/runtime';
import { browserForSuite } from '../support/browser';
import { testNamespace } from '../support/namespace';
import { ARTIFACTS, listedNames, openPage, userRows, usersChanged, watchProblems } from './dashboard-page';
import { PipelineFixture } from './fixtures';
import { queryForSuite } from './query-app';

const rating = PipelineFixture.rating;
const BLANK = '   ';

describe('dashboard in headless Chromium', () => {
  const ns = testNamespace('querybrowser', { QUERY_TRENDING_REFRESH_MS: '1000', QUERY_FEED_INTERVAL_MS: '200' });
  beforeAll(async () => {
    // Stay clear of an hour boundary: the page's "this hour" and the data's must be the same hour.
    const toNextHour = hourStart(Date.now()) + HOUR_MS - Date.now();
    if (toNextHour < 90_000) await new Promise((r) => setTimeout(r, toNextHour + 1000));
  });
  const q = queryForSuite(ns);
  const chromium = browserForSuite();
  /** Everything this suite wrote, to compute what the page must show. */
  const written: Rating[] = [];
  const commit = async (ratings: Rating[]) => {
    written.push(...ratings);
    await q.fixture.commit(ratings);
  };
  let producer: Promise<Producer> | undefined;
  const publish = async (ratings: Rating[]) => {
    producer ??= (async () => {
      const p = q.app.get(KafkaConnection).createProducer();
      await p.connect();
      return p;
    })();
    await (
      await producer
    ).send({
      topic: ns.config.kafka.topics.ratings,
      messages: ratings.map((r) => ({ key: r.name, value: encodeRatingEvent(r) })),
    });
  };
  afterAll(async () => (await producer)?.disconnect());

  it('shows a picked user’s current hour and updates it live when new data is committed', async () => {
    const name = 'Browser Bea';
    const now = Date.now();
    const hour = hourStart(now);
    const others = ['Carl Jones', 'Dana Wu', 'Eve Martin'];
    await commit([
      ...[-6, -5, -2, -1].map((d, i) => rating(name, `Old Film ${i}`, 3 + i, hour + d * HOUR_MS + 60_000)),
      rating(name, 'Heat (1995)', 6, now - 2000),
      rating(name, 'Up (2009)', 8, now - 1000),
      ...others.map((o, i) => rating(o, ['Heat (1995)', 'Alien (1979)', 'Heat (1995)'][i], 5 + i, now - 500)),
    ]);

    const { page, problems: pageProblems } = await openPage(chromium.browser, q.url);
    const problems: string[] = [];
    const response = await page.reload();
    // helmet's policy (libs/observability/src/security-headers.ts): the page must work under it.
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.textContent('#mode-text')).toBe('Live — following now');

    await page.locator(`#user-list li[data-name="${name}"] button`).click();
    await page.waitForFunction(() => document.querySelector('#current-average')?.textContent === '7.00');
    expect(await page.textContent('#current-count')).toBe('2');
    expect(await page.textContent('#selected-user')).toBe(name);
    expect(new URL(page.url()).hash).toBe(`#/user/${encodeURIComponent(name)}`);

    // The search asks the server for the names starting with what was typed (case-sensitive).
    const before = await listedNames(page);
    await page.fill('#user-search', 'Dan');
    await usersChanged(page, before);
    expect((await userRows(page)).map((r) => r.name)).toEqual(['Dana Wu']);
    await page.fill('#user-search', '');
    await page.waitForFunction(() => document.querySelectorAll('#user-list li').length === 4);

    // Some live traffic for the feed and the figures.
    const feed = setInterval(() => {
      publish([rating('Feed Fiona', 'Jaws (1975)', 9, Date.now())]).catch((err: unknown) => problems.push(String(err)));
    }, 100);
    try {
      await commit([rating(name, 'Alien (1979)', 10, Date.now())]);
      await page.waitForFunction(() => document.querySelector('#current-average')?.textContent === '8.00');
      expect(await page.textContent('#current-count')).toBe('3');
      // The hour's movies follow the push too.
      await page.waitForFunction(() => document.querySelectorAll('#user-movies tbody tr').length === 3);
      await page.waitForSelector('#feed li');
      await page.waitForFunction(() => Number(document.querySelector('#rate')?.textContent) > 0);
    } finally {
      clearInterval(feed);
    }
    await page.waitForSelector('#trending li .title');
    expect(await page.locator('#trending li .title').first().textContent()).toBe('Heat (1995)');
    // The health panel is fed by the `health` push: services and lag.
    await page.waitForSelector('#services li[data-service="kafka"].up');
    expect(await page.textContent('#lag')).toMatch(/^\d+$/);
    expect(await page.locator('#banners .banner').count()).toBe(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect([...problems, ...(await pageProblems())]).toEqual([]);
    await page.context().close();
  });

  it('browses to a past hour in the viewer’s time zone and shows exactly the counts written there, paged by the server', async () => {
    const past = hourStart(Date.now()) - 3 * HOUR_MS;
    const at = (min: number) => past + min * 60_000;
    await commit([
      rating('Past Pam', 'Heat (1995)', 4, at(5)),
      rating('Past Pam', 'Alien (1979)', 6, at(20)),
      rating('Past Pam', 'Up (2009)', 8, at(40)),
      rating('Past Paul', 'Heat (1995)', 9, at(10)),
      rating('Past Paul', 'Jaws (1975)', 10, at(50)),
      rating('Past Quinn', 'Heat (1995)', 2, at(30)),
      rating(BLANK, 'Heat (1995)', 5, at(15)),
      // The next hour: must not count.
      rating('Past Pam', 'Heat (1995)', 10, past + HOUR_MS + 60_000),
      // Enough users for a second page.
      ...Array.from({ length: 52 }, (_, i) =>
        rating(`Pager ${String(i).padStart(2, '0')}`, 'Up (2009)', 1 + (i % 10), at(45)),
      ),
    ]);
    const expected = new Map<string, { count: number; sum: number }>();
    for (const r of written.filter((w) => hourStart(w.time) === past)) {
      const e = expected.get(r.name) ?? { count: 0, sum: 0 };
      expected.set(r.name, { count: e.count + 1, sum: e.sum + r.rating });
    }

    // India is 5:30 ahead of UTC: the page's hours (UTC hour starts) begin at :30 there.
    const zone = 'Asia/Kolkata';
    const shifted = new Date(past + 5.5 * HOUR_MS);
    const hm = (d: Date) => d.toISOString().slice(11, 16);
    const month = shifted.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
    const label = `${hm(shifted)}–${hm(new Date(shifted.getTime() + HOUR_MS))}, ${shifted.getUTCDate()} ${month}`;
    const { page, problems } = await openPage(chromium.browser, q.url, { timezoneId: zone });
    await page.waitForFunction(() => document.querySelector('#users-page')?.textContent === 'page 1');

    // The day strip, then the hour picker.
    await page.click(`#days [data-day="${shifted.toISOString().slice(0, 10)}"]`);
    await page.selectOption('#hour-select', new Date(past).toISOString());
    await page.waitForFunction((l) => document.querySelector('#mode-text')?.textContent === `Viewing ${l} —`, label);
    expect(await page.isVisible('#back-live')).toBe(true);
    expect(new URL(page.url()).hash).toBe(`#/?hour=${new Date(past).toISOString()}`);

    // Two pages from the server: together, exactly the hour's users with their counts and averages.
    await page.waitForFunction(() => document.querySelectorAll('#user-list li').length === 50);
    const first = await userRows(page);
    expect(await page.isEnabled('#users-next')).toBe(true);
    await page.click('#users-next');
    await usersChanged(page, first.map((r) => r.name).join('\n'));
    const second = await userRows(page);
    expect(await page.isEnabled('#users-next')).toBe(false);
    const shown = [...first, ...second];
    expect(shown.length).toBe(expected.size);
    for (const row of shown) {
      const e = expected.get(row.name);
      expect({ name: row.name, count: row.count, avg: row.avg }).toEqual({
        name: row.name,
        count: String(e?.count),
        avg: e ? (e.sum / e.count).toFixed(1) : '',
      });
    }
    // The blank name shows as a visible placeholder, in italics.
    const blank = shown.find((r) => r.name === BLANK);
    expect(blank?.shown).toBe('(blank name)');
    const blankStyle = () =>
      page.evaluate(
        (b) =>
          Array.from(document.querySelectorAll<HTMLElement>('#user-list li'))
            .filter((li) => li.dataset.name === b)
            .map((li) => getComputedStyle(li.querySelector('.name')!).fontStyle),
        BLANK,
      );
    const styles = await blankStyle();

    // Back to page one, sorted by count on the page.
    await page.click('#users-prev');
    await usersChanged(page, second.map((r) => r.name).join('\n'));
    expect([...styles, ...(await blankStyle())]).toEqual(['italic']);
    const unsorted = (await userRows(page)).map((r) => Number(r.count));
    await page.selectOption('#user-sort', 'count');
    // The list is redrawn in the next animation frame; reading it at once raced that frame in CI.
    await page
      .waitForFunction(
        () => {
          const c = Array.from(document.querySelectorAll('#user-list li .count'), (e) => Number(e.textContent));
          return c.every((n, i) => i === 0 || c[i - 1] >= n);
        },
        undefined,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    const counts = (await userRows(page)).map((r) => Number(r.count));
    expect(counts).toEqual(counts.slice().sort((a, b) => b - a));
    // The same users, only in another order.
    expect(counts.slice().sort()).toEqual(unsorted.slice().sort());

    // A prefix search is the server's.
    const beforeSearch = await listedNames(page);
    await page.fill('#user-search', 'Past P');
    await usersChanged(page, beforeSearch);
    expect((await userRows(page)).map((r) => r.name).sort()).toEqual(['Past Pam', 'Past Paul']);

    // Drill into a user: the hour's movies, oldest first, and the cards; deep-linked.
    await page.click('#user-list li[data-name="Past Pam"] button');
    await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '3');
    expect(await page.textContent('#current-average')).toBe('6.00');
    await page.waitForFunction(() => document.querySelectorAll('#user-movies tbody tr').length === 3);
    expect(await page.$$eval('#user-movies tbody td.title', (tds) => tds.map((td) => td.textContent))).toEqual([
      'Heat (1995)',
      'Alien (1979)',
      'Up (2009)',
    ]);
    const deepLink = `${q.url}/#/user/Past%20Pam?hour=${new Date(past).toISOString()}`;
    expect(page.url()).toBe(deepLink);

    // A late rating for that past hour arrives live.
    await commit([rating('Past Pam', 'Jaws (1975)', 10, at(55))]);
    await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '4');
    expect(await page.textContent('#current-average')).toBe('7.00');
    await page.waitForFunction(() => document.querySelectorAll('#user-movies tbody tr').length === 4);
    await page.click('#series-7d');
    await page.waitForSelector('#series-7d[aria-pressed="true"]');

    // UTC instead, remembered for the next visit; the deep link opens the same view.
    await page.click('#zone-toggle');
    const utcLabel = `${hm(new Date(past))}–${hm(new Date(past + HOUR_MS))}, ${new Date(past).getUTCDate()} ${new Date(past).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })}`;
    await page.waitForFunction((l) => document.querySelector('#mode-text')?.textContent === `Viewing ${l} —`, utcLabel);
    const again = await page.context().newPage();
    const againProblems = await watchProblems(again);
    await again.goto(deepLink);
    await again.waitForFunction(() => document.querySelector('#current-count')?.textContent === '4');
    expect(await again.textContent('#mode-text')).toBe(`Viewing ${utcLabel} —`);
    expect(await again.textContent('#zone-toggle')).toBe('Times: UTC');

    // And back to live.
    await again.click('#back-live');
    await again.waitForFunction(() => document.querySelector('#mode-text')?.textContent === 'Live — following now');
    expect(new URL(again.url()).hash).toBe('#/user/Past%20Pam');
    expect([...(await problems()), ...(await againProblems())]).toEqual([]);
    await page.context().close();
  });

  it('switches the trending window (10 m, 1 h, 24 h) and shows a movie’s recent raters', async () => {
    const now = Date.now();
    const hour = hourStart(now);
    // Only in the 24 h window: 5 ratings 5 hours ago. In 1 h (current and previous hour) but not 10 m:
    // 4 ratings 20 minutes ago, or in the previous hour if the hour began less than 20 minutes ago.
    const hourAgo = Math.max(hour - HOUR_MS + 60_000, now - 20 * 60_000);
    const raters = ['Rae One', 'Rae Two', 'Rae Three'].map((n, i) => rating(n, 'Tenmin Film', 7 + i, now - 60_000 + i));
    await commit([
      ...Array.from({ length: 5 }, (_, i) => rating(`Day ${i}`, 'Day Film', 3, hour - 5 * HOUR_MS + 60_000 * (i + 1))),
      ...Array.from({ length: 4 }, (_, i) => rating(`Hour ${i}`, 'Hour Film', 6, hourAgo + i)),
      ...raters,
    ]);
    // The raters come from the live feed (the ratings topic), as the consumer would see them: one at
    // a time, as their names key them to different partitions, whose order the feed does not keep.
    for (const r of raters) {
      await publish([r]);
      await sleep(500);
    }

    const { page, problems } = await openPage(chromium.browser, q.url);
    const movies = () =>
      page.$$eval('#trending li[data-movie]', (items): Record<string, { count?: string | null; points: number }> =>
        Object.fromEntries(
          items.map((li): [string, { count?: string | null; points: number }] => [
            (li as HTMLElement).dataset.movie ?? '',
            {
              count: li.querySelector('.count')?.textContent,
              points: li.querySelector('.spark polyline')?.getAttribute('points')?.split(' ').length ?? 0,
            },
          ]),
        ),
      );
    const windowShown = (w: string) =>
      page.waitForFunction((x) => document.querySelector('#trending')?.getAttribute('data-window') === x, w);

    await windowShown('10m');
    await page.waitForSelector('#trending li[data-movie="Tenmin Film"]');
    let listed = await movies();
    expect(listed['Tenmin Film']?.count).toBe('3');
    expect(listed['Hour Film']).toBeUndefined();
    expect(listed['Day Film']).toBeUndefined();
    expect(listed['Tenmin Film']?.points).toBeGreaterThanOrEqual(10); // one point a minute

    await page.click('[data-window="1h"]');
    await windowShown('1h');
    listed = await movies();
    expect(listed['Hour Film']?.count).toBe('4');
    expect(listed['Tenmin Film']?.count).toBe('3');
    expect(listed['Day Film']).toBeUndefined();

    await page.click('[data-window="24h"]');
    await windowShown('24h');
    listed = await movies();
    expect(listed['Day Film']?.count).toBe('5');
    expect(listed['Day Film']?.points).toBeGreaterThanOrEqual(24); // one point an hour
    expect(await page.getAttribute('[data-window="24h"]', 'aria-pressed')).toBe('true');

    await page.click('#trending li[data-movie="Tenmin Film"] .title');
    await page.waitForSelector('#raters-list li button');
    const names = await page.$$eval('#raters-list li button', (bs) => bs.map((b) => b.textContent));
    expect(names).toEqual(['Rae Three', 'Rae Two', 'Rae One']); // newest first
    expect(await page.textContent('#raters-title')).toBe('Recent raters of Tenmin Film');
    // A rater opens that user's page.
    await page.click('#raters-list li button >> text=Rae Two');
    await page.waitForFunction(() => document.querySelector('#selected-user')?.textContent === 'Rae Two');
    expect(await problems()).toEqual([]);
    await page.context().close();
  });

  it('fits 390 px (no sideways scroll, charts at least 250 px wide) and 1440 px, and is keyboard-navigable', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const figures: Record<string, unknown> = {};
    for (const width of [390, 1440]) {
      const { page, problems } = await openPage(chromium.browser, `${q.url}/#/user/Browser%20Bea`, {
        viewport: { width, height: 900 },
      });
      await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '3');
      await page.waitForSelector('#trending li[data-movie]');
      await page.waitForSelector('#user-list li');
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        bodyScrollWidth: document.body.scrollWidth,
        charts: Array.from(document.querySelectorAll('canvas')).map((c) => Math.round(c.getBoundingClientRect().width)),
        header: Math.round(document.querySelector('header')!.getBoundingClientRect().width),
      }));
      figures[`${width} px`] = layout;
      expect(layout.scrollWidth).toBeLessThanOrEqual(width);
      expect(layout.bodyScrollWidth).toBeLessThanOrEqual(width);
      expect(layout.header).toBe(width);
      for (const w of layout.charts) expect(w).toBeGreaterThanOrEqual(250);
      await page.screenshot({ path: resolve(ARTIFACTS, `dashboard-${width}.png`), fullPage: true });

      if (width === 1440) {
        // Tab to the first user and open it with the keyboard; the focus ring shows.
        await page.goto(q.url);
        await page.waitForSelector('#user-list li button');
        let focused = '';
        for (let i = 0; i < 60 && !focused.startsWith('user-row'); i++) {
          await page.keyboard.press('Tab');
          focused = await page.evaluate(() => document.activeElement?.className ?? '');
        }
        expect(focused).toContain('user-row');
        const ring = await page.evaluate(() => {
          const a = document.activeElement!;
          const s = getComputedStyle(a);
          return { visible: a.matches(':focus-visible'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
        });
        expect(ring).toEqual({ visible: true, outline: 'solid', width: 3 });
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => location.hash.startsWith('#/user/'));
      }
      expect(await problems()).toEqual([]);
      await page.context().close();
    }
    process.stderr.write(`[dashboard] layout: ${JSON.stringify(figures)}\n`);
  });

  it('shows the OpenAPI page under the same policy', async () => {
    const page = await chromium.browser.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${q.url}/docs`);
    await page.waitForSelector('.swagger-ui .opblock');
    expect(await problems()).toEqual([]);
    await page.close();
  });
});

describe('dashboard in headless Chromium with QUERY_READ_TOKEN', () => {
  const token = 'dashboard-read-token-0123456789';
  const ns = testNamespace('querybrowsertoken', { QUERY_READ_TOKEN: token });
  const q = queryForSuite(ns);
  const chromium = browserForSuite();

  it('works when opened as /#token=…, and keeps the token out of the address bar', async () => {
    const name = 'Token Tess';
    await q.fixture.commit([rating(name, 'Heat (1995)', 8, Date.now() - 1000)]);
    const { page, problems } = await openPage(chromium.browser, `${q.url}/#token=${token}`);
    await page.waitForFunction(() => document.querySelector('#connection')?.classList.contains('on'));
    await page.locator(`#user-list li[data-name="${name}"] button`).click();
    await page.waitForFunction(() => document.querySelector('#current-average')?.textContent === '8.00');
    await page.waitForSelector('#user-movies tbody tr');
    await page.waitForSelector('#services li[data-service="cassandra"].up');
    expect(page.url()).toBe(`${q.url}/#/user/Token%20Tess`);
    expect(await page.locator('#banners .banner').count()).toBe(0);
    expect(await problems()).toEqual([]);
    await page.context().close();
  });
});
