/** The user's two charts (Chart.js, from /vendor): the hour's histogram and the hourly series with its min–max band. */
import { Chart, type ChartInstance } from './vendor';
import type { HourlyStats } from './wire';
import { HOUR_MS, clock, weekdayDay, type Zone } from './time';

const ACCENT = '#4a4ac4';
const BAND = 'rgba(74, 74, 196, 0.16)';

/** A point of the hourly series: x hours after the first hour shown; y NaN where the hour has no ratings. */
interface Point {
  x: number;
  y: number;
}

export class UserCharts {
  private readonly histogram: ChartInstance<'bar', number[], string>;
  private readonly series: ChartInstance<'line', Point[]>;
  /** What the series shows: its first hour, how many, in which zone (for its tick and tooltip labels). */
  private shown: { first: number; hours: number; zone: Zone } = { first: 0, hours: 24, zone: 'local' };

  constructor(histogramCanvas: HTMLCanvasElement, seriesCanvas: HTMLCanvasElement) {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#4f5668';
    // Live updates redraw without animation: an animation per push would keep the main thread busy.
    Chart.defaults.animation = false;
    this.histogram = new Chart(histogramCanvas, {
      type: 'bar',
      data: {
        labels: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
        datasets: [{ label: 'ratings', data: new Array<number>(10).fill(0), backgroundColor: ACCENT, borderRadius: 3 }],
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } },
      },
    });
    this.series = new Chart(seriesCanvas, {
      type: 'line',
      data: {
        datasets: [
          // max, filled down to min (the next dataset): the band; then the average on top.
          {
            label: 'max',
            data: [],
            borderWidth: 0,
            pointRadius: 0,
            backgroundColor: BAND,
            fill: '+1',
            spanGaps: false,
          },
          { label: 'min', data: [], borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false },
          {
            label: 'average',
            data: [],
            borderColor: ACCENT,
            backgroundColor: ACCENT,
            borderWidth: 2,
            pointRadius: 2,
            spanGaps: true,
            fill: false,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        // Points come as {x, y} already (x: hours since the first one shown), so nothing is parsed, and
        // the x axis makes its few ticks itself: with 168 category labels every redraw measured them all.
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => (items.length ? this.labelAt(items[0].parsed.x ?? 0) : '') } },
        },
        scales: {
          y: { min: 1, max: 10 },
          x: {
            type: 'linear',
            min: 0,
            max: 23,
            grid: { display: false },
            // Counted back from the hour shown last, so it is labelled: every 3 hours of 24 h, or the
            // same hour each day of 7 d (the axis's own ticks would add its end next to the last one).
            afterBuildTicks: (axis) => {
              const { hours } = this.shown;
              const step = hours > 24 ? 24 : 3;
              axis.ticks = [];
              for (let i = hours - 1; i >= 0; i -= step) axis.ticks.unshift({ value: i });
            },
            ticks: { callback: (value) => this.labelAt(Number(value)) },
          },
        },
      },
    });
  }

  showHistogram(stats: HourlyStats | undefined): void {
    this.histogram.data.datasets[0].data = stats ? stats.histogram.slice(0, 10) : new Array<number>(10).fill(0);
    this.histogram.update('none');
  }

  /** `hours` hours ending with `last` (a UTC hour start), from the user's stats by hour. */
  showSeries(byHour: ReadonlyMap<number, HourlyStats>, last: number, hours: number, zone: Zone): void {
    const first = last - (hours - 1) * HOUR_MS;
    const max: Point[] = [];
    const min: Point[] = [];
    const avg: Point[] = [];
    for (let i = 0; i < hours; i++) {
      const s = byHour.get(first + i * HOUR_MS);
      const has = s !== undefined && s.count > 0;
      // NaN, not null: without parsing, only a NaN value is a gap.
      max.push({ x: i, y: has ? (s.max ?? NaN) : NaN });
      min.push({ x: i, y: has ? (s.min ?? NaN) : NaN });
      avg.push({ x: i, y: has ? (s.average ?? NaN) : NaN });
    }
    this.shown = { first, hours, zone };
    const [dMax, dMin, dAvg] = this.series.data.datasets;
    dMax.data = max;
    dMin.data = min;
    dAvg.data = avg;
    dAvg.pointRadius = hours > 24 ? 0 : 2;
    const x = this.series.options.scales?.x;
    if (x) x.max = hours - 1;
    this.series.update('none');
  }

  /** The label of the series' point `i` (hours after the first one shown). */
  private labelAt(i: number): string {
    const { first, hours, zone } = this.shown;
    const h = first + Math.round(i) * HOUR_MS;
    return hours > 24 ? `${weekdayDay(h, zone)} ${clock(h, zone)}` : clock(h, zone);
  }
}
