import { DLQ_HEADERS, encodeFlushReport, parseFlushReport } from '@reeltime/contracts';
import { DeadLetterWatch, FlushWatch, LATEST_DEAD_LETTERS, quantile } from './pipeline-watch';

const t0 = Date.parse('2026-12-01T10:00:00Z');

describe('FlushWatch', () => {
  it('reports the newest flush and the freshness percentiles of the last minute', () => {
    const watch = new FlushWatch();
    expect(watch.lastFlush(t0)).toBeNull();
    expect(watch.freshness(t0)).toBeNull();
    // 100 flushes, one a second, each seen i ms + 1 s after its batch opened.
    for (let i = 1; i <= 100; i++) {
      const seenAt = t0 + i * 1000;
      watch.seen({ openedAt: seenAt - 1000 - i, startedAt: seenAt - 200, ratings: i, writeMs: 150 }, seenAt);
    }
    const now = t0 + 100_000;
    expect(watch.lastFlush(now)).toEqual({
      at: new Date(now - 200).toISOString(),
      ageMs: 200,
      ratings: 100,
      durationMs: 200,
    });
    // The last 60 s hold flushes 40…100 (seen 40 s … 100 s): freshness 1040 … 1100 ms.
    const f = watch.freshness(now)!;
    expect(f.samples).toBe(61);
    expect(f.p50Ms).toBe(1070);
    expect(f.p99Ms).toBe(1100);
    expect(watch.freshness(now + 61_000)).toBeNull();
  });

  it('keeps the newest flush when reports arrive out of order (several partitions)', () => {
    const watch = new FlushWatch();
    watch.seen({ openedAt: t0, startedAt: t0 + 2000, ratings: 5, writeMs: 10 }, t0 + 2100);
    watch.seen({ openedAt: t0, startedAt: t0 + 1000, ratings: 7, writeMs: 10 }, t0 + 2200);
    expect(watch.lastFlush(t0 + 3000)?.ratings).toBe(5);
  });
});

describe('quantile', () => {
  it('is the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
  });
});

describe('DeadLetterWatch', () => {
  const letter = (error: string, at: number) => ({
    timestamp: String(at),
    headers: { [DLQ_HEADERS.error]: Buffer.from(error) },
  });

  it('counts the last minute and keeps the newest reasons first', () => {
    const watch = new DeadLetterWatch();
    watch.record([letter('message is not valid JSON: x', t0)], t0);
    watch.record(
      [letter('rating must be from 1 to 10', t0 + 1000), letter('message has no value', t0 + 1000)],
      t0 + 1000,
    );
    const d = watch.deadLetters(t0 + 2000);
    expect(d.perMinute).toBe(3);
    expect(d.latest.map((l) => l.reason)).toEqual(['no_value', 'contract', 'not_json']);
    expect(d.latest[0].time).toBe(new Date(t0 + 1000).toISOString());
    expect(watch.deadLetters(t0 + 60_500).perMinute).toBe(2);
    expect(watch.deadLetters(t0 + 61_500).perMinute).toBe(0);
    // The reasons stay: they are the latest, however old.
    expect(watch.deadLetters(t0 + 61_500).latest).toHaveLength(3);
  });

  it('bounds the latest list and the error text, and survives letters without headers', () => {
    const watch = new DeadLetterWatch();
    watch.record(
      Array.from({ length: 50 }, (_, i) => letter(`message is not valid JSON: ${'x'.repeat(500)} ${i}`, t0)),
      t0,
    );
    watch.record([{}], t0);
    const d = watch.deadLetters(t0);
    expect(d.perMinute).toBe(51);
    expect(d.latest).toHaveLength(LATEST_DEAD_LETTERS);
    expect(d.latest[0]).toEqual({ reason: 'other', error: '', time: new Date(t0).toISOString() });
    expect(d.latest[1].error.length).toBeLessThanOrEqual(201);
  });
});

describe('flush report header', () => {
  it('round-trips and refuses what is not a report', () => {
    const report = { openedAt: t0, startedAt: t0 + 1000, ratings: 12, writeMs: 80 };
    expect(parseFlushReport(Buffer.from(encodeFlushReport(report)))).toEqual(report);
    for (const bad of [
      undefined,
      '',
      'null',
      '[]',
      '{"openedAt":1}',
      '{bad',
      JSON.stringify({ ...report, ratings: -1 }),
    ]) {
      expect(parseFlushReport(bad)).toBeUndefined();
    }
  });
});
