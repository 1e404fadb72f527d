import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { HOUR_MS, encodeRatingEvent, hourStart } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { Page } from 'playwright-core';
import { browserForSuite } from '../support/browser';
import { testNamespace } from '../support/namespace';
import { PipelineFixture } from './fixtures';
import { queryForSuite } from './query-app';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts');
const rating = PipelineFixture.rating;

/**
 * Everything the page reports going wrong: uncaught errors, console errors (Chromium logs each CSP
 * refusal there) and every `securitypolicyviolation` event, recorded from before the page's first script.
 */
async function watchProblems(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`CSP ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return async () => [
    ...problems,
    ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)),
  ];
}

describe('dashboard in headless Chromium', () => {
  const ns = testNamespace('querybrowser', { QUERY_TRENDING_REFRESH_MS: '1000', QUERY_FEED_INTERVAL_MS: '200' });
  beforeAll(async () => {
    // Stay clear of an hour boundary: the page's "this hour" and the data's must be the same hour.
    const toNextHour = hourStart(Date.now()) + HOUR_MS - Date.now();
    if (toNextHour < 60_000) await new Promise((r) => setTimeout(r, toNextHour + 1000));
  });
  const q = queryForSuite(ns);
  const chromium = browserForSuite();

  it('shows a picked user’s current hour and updates it live when new data is committed', async () => {
    const name = 'Browser Bea';
    const now = Date.now();
    const hour = hourStart(now);
    const others = ['Carl Jones', 'Dana Wu', 'Eve Martin'];
    // Earlier hours for the chart, this hour's first ratings, other users and trending rows.
    await q.fixture.commit([
      ...[-6, -5, -3, -2, -1].map((d, i) => rating(name, `Old Film ${i}`, 3 + i, hour + d * HOUR_MS + 60_000)),
      rating(name, 'Heat (1995)', 6, now - 2000),
      rating(name, 'Up (2009)', 8, now - 1000),
      ...others.map((o, i) => rating(o, ['Heat (1995)', 'Alien (1979)', 'Heat (1995)'][i], 5 + i, now - 500)),
    ]);

    const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
    const problems: string[] = [];
    const pageProblems = await watchProblems(page);
    const response = await page.goto(q.url);
    // helmet's policy (libs/observability/src/security-headers.ts): the page must work under it.
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await page.locator(`#user-list li[data-name="${name}"]`).click();
    await page.waitForFunction(() => document.querySelector('#current-average')?.textContent === '7.00');
    expect(await page.textContent('#current-count')).toBe('2');
    expect(await page.textContent('#selected-user')).toBe(name);

    // The search box narrows the list.
    await page.fill('#user-search', 'dana');
    expect(await page.locator('#user-list li').allTextContents()).toEqual(['Dana Wu']);
    await page.fill('#user-search', '');

    // Some live traffic for the feed and the figures.
    const producer = q.app.get(KafkaConnection).createProducer();
    await producer.connect();
    const feed = setInterval(() => {
      const r = rating('Feed Fiona', 'Jaws (1975)', 9, Date.now());
      producer
        .send({ topic: ns.config.kafka.topics.ratings, messages: [{ key: r.name, value: encodeRatingEvent(r) }] })
        .catch((err: unknown) => problems.push(String(err)));
    }, 100);
    try {
      await q.fixture.commit([rating(name, 'Alien (1979)', 10, Date.now())]);
      await page.waitForFunction(() => document.querySelector('#current-average')?.textContent === '8.00');
      expect(await page.textContent('#current-count')).toBe('3');
      await page.waitForSelector('#feed li');
      await page.waitForFunction(() => Number(document.querySelector('#rate')?.textContent) > 0);
    } finally {
      clearInterval(feed);
    }
    await page.waitForSelector('#trending li .title');
    expect(await page.locator('#trending li .title').first().textContent()).toBe('Heat (1995)');
    expect(await page.textContent('#lag')).toMatch(/^\d+$/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.waitForTimeout(500); // let the chart animations settle for the screenshot
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect([...problems, ...(await pageProblems())]).toEqual([]);
  });

  it('shows the OpenAPI page under the same policy', async () => {
    const page = await chromium.browser.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${q.url}/docs`);
    await page.waitForSelector('.swagger-ui .opblock');
    expect(await problems()).toEqual([]);
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
    const page = await chromium.browser.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${q.url}/#token=${token}`);
    await page.waitForFunction(() => document.querySelector('#connection')?.classList.contains('on'));
    await page.locator(`#user-list li[data-name="${name}"]`).click();
    await page.waitForFunction(() => document.querySelector('#current-average')?.textContent === '8.00');
    expect(page.url()).toBe(`${q.url}/`);
    expect(await problems()).toEqual([]);
  });
});
