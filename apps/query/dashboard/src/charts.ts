/** The user's two charts (Chart.js, from /vendor): the hour's histogram and the hourly series with its min–max band. */
import { Chart, type ChartInstance } from './vendor';
import type { HourlyStats } from './wire';
import { HOUR_MS, clock, weekdayDay, type Zone } from './time';

const ACCENT = '#4a4ac4';
const BAND = 'rgba(74, 74, 196, 0.16)';

export class UserCharts {
  private readonly histogram: ChartInstance<'bar', number[], string>;
  private readonly series: ChartInstance<'line', Array<number | null>, string>;
  private labels?: { key: string; labels: string[] };

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
        labels: [],
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
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: false } },
        scales: {
          y: { min: 1, max: 10 },
          x: { grid: { display: false }, ticks: { maxTicksLimit: 8, autoSkip: true } },
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
    const max: Array<number | null> = [];
    const min: Array<number | null> = [];
    const avg: Array<number | null> = [];
    for (let h = last - (hours - 1) * HOUR_MS; h <= last; h += HOUR_MS) {
      const s = byHour.get(h);
      const has = s !== undefined && s.count > 0;
      max.push(has ? s.max : null);
      min.push(has ? s.min : null);
      avg.push(has ? s.average : null);
    }
    const [dMax, dMin, dAvg] = this.series.data.datasets;
    this.series.data.labels = this.labelsOf(last, hours, zone);
    dMax.data = max;
    dMin.data = min;
    dAvg.data = avg;
    dAvg.pointRadius = hours > 24 ? 0 : 2;
    this.series.update('none');
  }

  /**
   * The series' hour labels change only with the hour, the span or the zone, not with each push: the
   * same array is handed back meanwhile (168 labels of two Intl formats each for the 7 d chart).
   */
  private labelsOf(last: number, hours: number, zone: Zone): string[] {
    const key = `${last}|${hours}|${zone}`;
    if (this.labels?.key === key) return this.labels.labels;
    const labels: string[] = [];
    for (let h = last - (hours - 1) * HOUR_MS; h <= last; h += HOUR_MS) {
      labels.push(hours > 24 ? `${weekdayDay(h, zone)} ${clock(h, zone)}` : clock(h, zone));
    }
    this.labels = { key, labels };
    return labels;
  }
}
