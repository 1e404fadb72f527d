import { HourlyStats, encodeRatingEvent, hourStart } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { sleep } from '@reeltime/runtime';
import { browserForSuite } from '../support/browser';
import { testNamespace } from '../support/namespace';
import { openPage } from './dashboard-page';
import { PipelineFixture } from './fixtures';
import { queryForSuite } from './query-app';

const rating = PipelineFixture.rating;
const FEED_MS = 20_000;
const RATE = 5000;
/**
 * A freeze, not a hiccup: the page's own work per frame stays far below 50 ms (the figures are printed;
 * bench/dashboard.ts measures them on a quiet machine), but here two shared cores also run the broker,
 * Cassandra, the query service, the feeding producer and Chromium, and a task is stretched by the
 * scheduler as much as by the page. An unbounded list rebuilt per event, or a chart redrawn per push,
 * takes seconds under this feed.
 */
const LONG_TASK_BOUND_MS = 1000;
/** Of each second, the page's renders take at most this many ms (a quarter of a core, at 5,000 ratings/s). */
const RENDER_MS_PER_S = 250;

/** The watched user's stats after `count` ratings, all of them 7. */
function sevens(name: string, hour: number, count: number): HourlyStats {
  const histogram = new Array<number>(10).fill(0);
  histogram[6] = count;
  return {
    name,
    hour: new Date(hour).toISOString(),
    count,
    sum: 7 * count,
    average: 7,
    min: 7,
    max: 7,
    histogram,
    updatedAt: new Date().toISOString(),
  };
}

interface Sample {
  at: number;
  heapMB: number;
  nodes: number;
  feedItems: number;
}

/**
 * The page under a fast feed: 5,000 ratings/s on the ratings topic (the ticker and ratings/s), `feed`
 * pushes every 50 ms and the watched user's stats pushed 10 times a second, for 20 s.
 */
describe('dashboard in headless Chromium under a fast feed', () => {
  const ns = testNamespace('querybrowserload', { QUERY_FEED_INTERVAL_MS: '50', QUERY_TRENDING_REFRESH_MS: '1000' });
  const q = queryForSuite(ns);
  const chromium = browserForSuite();

  it('keeps long tasks short, the DOM bounded and memory flat', async () => {
    const name = 'Load Lou';
    const hour = hourStart(Date.now());
    await q.fixture.commit([rating(name, 'Heat (1995)', 7, Date.now() - 1000)]);
    // A REST read that Cassandra does not answer within QUERY_READ_TIMEOUT_MS is a 503, which the page
    // shows as a banner: on two cores under this feed (CI ran it right after Cassandra started) that is
    // the service's answer, not a fault of the page. Everything else still fails the test.
    const { page, problems } = await openPage(chromium.browser, `${q.url}/#/user/Load%20Lou`, {}, [
      /Failed to load resource: the server responded with a status of 503/,
    ]);
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: false });
    });
    await page.waitForFunction(() => document.querySelector('#current-count')?.textContent === '1');
    // Counts the fades of the count card: a figure that changes 10 times a second must not fade
    // without pause (a fade at most every 2 s), and not at all for a viewer who asked for less motion.
    await page.evaluate(() => {
      const w = window as unknown as { fades: number };
      w.fades = 0;
      const animate = Element.prototype.animate;
      Element.prototype.animate = function (this: Element, ...args: Parameters<Element['animate']>) {
        if (this.id === 'current-count') w.fades++;
        return animate.apply(this, args);
      };
    });
    const fades = () => page.evaluate(() => (window as unknown as { fades: number }).fades);
    await page.click('#series-7d'); // the larger chart: 168 points redrawn on each push
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const sample = async (start: number): Promise<Sample> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = (n: string) => metrics.find((x) => x.name === n)?.value ?? 0;
      return {
        at: Math.round((Date.now() - start) / 1000),
        heapMB: Math.round((m('JSHeapUsedSize') / 1048576) * 10) / 10,
        nodes: m('Nodes'),
        feedItems: await page.locator('#feed li').count(),
      };
    };

    const producer = q.app.get(KafkaConnection).createProducer();
    await producer.connect();
    const start = Date.now();
    const samples: Sample[] = [await sample(start)];
    let sent = 0;
    let stop = false;
    let statsCount = 1;
    const feeding = (async () => {
      const perTick = RATE / 10;
      for (let tick = 0; !stop; tick++) {
        const due = start + tick * 100;
        if (due > Date.now()) await sleep(due - Date.now());
        const now = Date.now();
        const batch = Array.from({ length: perTick }, (_, i) =>
          rating(`Feeder ${i % 997}`, `Film ${(tick * 7 + i) % 500}`, 1 + (i % 10), now - (i % 50)),
        );
        await producer.send({
          topic: ns.config.kafka.topics.ratings,
          messages: batch.map((r) => ({ key: r.name, value: encodeRatingEvent(r) })),
        });
        sent += batch.length;
        statsCount++;
        await q.fixture.publishStats([sevens(name, hour, statsCount)]);
      }
    })();
    try {
      while (Date.now() - start < FEED_MS) {
        await sleep(5000);
        samples.push(await sample(start));
      }
    } finally {
      stop = true;
      await feeding;
      await producer.disconnect();
    }
    const seconds = (Date.now() - start) / 1000;
    await page.waitForFunction(
      (n) => Number(document.querySelector('#current-count')?.textContent) >= n - 5,
      statsCount,
    );
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const max = Math.max(0, ...longTasks);
    const frames = await page.evaluate(() => {
      const w = window as unknown as {
        reeltimeFrames: { frames: number; totalMs: number; maxMs: number; over16: number };
        reeltimeSlowest: Record<string, number>;
      };
      return { ...w.reeltimeFrames, slowest: w.reeltimeSlowest };
    });
    process.stderr.write(
      `[dashboard] under ${Math.round(sent / seconds)} ratings/s for ${seconds.toFixed(0)} s and ${statsCount} stats pushes: ` +
        `${longTasks.length} long tasks, max ${Math.round(max)} ms (${longTasks.map(Math.round).join(', ')}); ` +
        `renders ${JSON.stringify(frames)}; samples ${JSON.stringify(samples)}\n`,
    );
    // The two cores decide how much of the 5,000/s the feeding producer gets out; thousands a second.
    expect(sent / seconds).toBeGreaterThan(1500);
    expect(max).toBeLessThan(LONG_TASK_BOUND_MS);
    expect(frames.totalMs / seconds).toBeLessThan(RENDER_MS_PER_S);
    // Bounded DOM: the ticker keeps 50 items; the node count stays where it was once the ticker filled.
    const last = samples[samples.length - 1];
    expect(last.feedItems).toBe(50);
    const filled = samples.filter((s) => s.feedItems === 50);
    expect(Math.max(...filled.map((s) => s.nodes)) - Math.min(...filled.map((s) => s.nodes))).toBeLessThan(300);
    // Memory flat: after a forced GC the heap grows by less than 5 MB over the run.
    expect(last.heapMB - samples[1].heapMB).toBeLessThan(5);
    const fadesUnderLoad = await fades();
    expect(fadesUnderLoad).toBeGreaterThan(0);
    expect(fadesUnderLoad).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);

    await page.emulateMedia({ reducedMotion: 'reduce' });
    const before = await fades();
    for (let n = statsCount + 1; n <= statsCount + 3; n++) {
      await q.fixture.publishStats([sevens(name, hour, n)]);
      await page.waitForFunction((want) => document.querySelector('#current-count')?.textContent === String(want), n);
      await sleep(2100);
    }
    expect(await fades()).toBe(before);
    process.stderr.write(`[dashboard] count card faded ${fadesUnderLoad} times in ${seconds.toFixed(0)} s of pushes\n`);
    expect(await problems()).toEqual([]);
    await page.context().close();
  });
});
