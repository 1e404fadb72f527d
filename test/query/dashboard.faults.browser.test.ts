import { hourStart } from '@reeltime/contracts';
import { LocalInfra } from '../../tools/infra';
import { browserForSuite } from '../support/browser';
import { testNamespace } from '../support/namespace';
import { openPage } from './dashboard-page';
import { PipelineFixture } from './fixtures';
import { QueryUnderTest, startQuery } from './query-app';

const rating = PipelineFixture.rating;
const bannerShown = (id: string) => `#banners .banner[data-banner="${id}"]`;

/**
 * The degraded states in the page, not the console: the real Kafka broker killed (-9) and started
 * again, and the query service itself stopped and started again on the same port.
 */
describe('dashboard in headless Chromium when the pipeline is hurt', () => {
  const ns = testNamespace('querybrowserfault');
  const infra = new LocalInfra();
  const chromium = browserForSuite();
  let q: QueryUnderTest | undefined;

  beforeAll(async () => {
    await ns.migrate();
    q = await startQuery(ns);
    await q.fixture.commit([rating('Fault Fay', 'Heat (1995)', 7, Date.now() - 1000)]);
  });
  afterAll(async () => {
    // Leave the broker running for the suites after this one, whatever happened.
    await infra.kafka.start();
    await q?.app.close();
    await ns.drop();
  });

  it('shows "Kafka unavailable" while the broker is killed (-9), and clears it once the broker is back', async () => {
    const { page, problems } = await openPage(chromium.browser, `${q!.url}/#/user/Fault%20Fay`);
    await page.waitForSelector('#services li[data-service="kafka"].up');
    expect(await page.locator('#banners .banner').count()).toBe(0);

    await infra.kafka.process.kill();
    const killedAt = Date.now();
    try {
      await page.waitForSelector(bannerShown('kafka'), { timeout: 30_000 });
      const shownAfter = Date.now() - killedAt;
      expect(await page.textContent(bannerShown('kafka'))).toBe('Kafka unavailable');
      await page.waitForSelector('#services li[data-service="kafka"].down');
      // REST still answers from Cassandra meanwhile: the page keeps working.
      await page.click('#series-7d');
      await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '1');
      process.stderr.write(`[dashboard] Kafka banner shown ${shownAfter} ms after the kill -9\n`);
    } finally {
      await infra.kafka.start();
    }
    const backAt = Date.now();
    await page.waitForSelector(bannerShown('kafka'), { state: 'detached', timeout: 120_000 });
    await page.waitForSelector('#services li[data-service="kafka"].up');
    process.stderr.write(`[dashboard] Kafka banner cleared ${Date.now() - backAt} ms after the broker started\n`);
    expect(await problems()).toEqual([]);
    await page.context().close();
  });

  it('shows "Reconnecting…" while the query service is down, and picks up where it was once it is back', async () => {
    const { page, problems } = await openPage(chromium.browser, `${q!.url}/#/user/Fault%20Fay`);
    // The page logs nothing itself, but Chromium reports each refused socket.io poll as an error.
    await page.waitForFunction(() => document.querySelector('#connection')?.classList.contains('on'));
    await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '1');

    await q!.app.close();
    await page.waitForSelector(bannerShown('reconnecting'), { timeout: 20_000 });
    expect(await page.textContent(bannerShown('reconnecting'))).toBe('Reconnecting…');
    expect(await page.getAttribute('#connection', 'title')).toBe('disconnected');

    q = await startQuery(ns);
    await page.waitForSelector(bannerShown('reconnecting'), { state: 'detached', timeout: 30_000 });
    // Subscribed again after the reconnect: a new rating arrives live.
    await q.fixture.commit([rating('Fault Fay', 'Up (2009)', 9, Math.max(hourStart(Date.now()), Date.now() - 500))]);
    await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '2');
    expect(await page.textContent('#current-average')).toBe('8.00');
    const seen = (await problems()).filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket connection/.test(p));
    expect(seen).toEqual([]);
    await page.context().close();
  });
});
