/** Writes the dashboard's state into the page, one part at a time (called once per animation frame). */
import { UserCharts } from './charts';
import type { Dashboard, Part } from './dashboard';
import { byId, el, setText, showError } from './dom';
import { throttled } from './frame';
import { banners, lagBars, perSecond } from './health';
import { nameNode } from './names';
import { formatAverage, sortUsers } from './people';
import { sparklinePoints } from './sparkline';
import {
  HOUR_MS,
  age,
  clock,
  clockSeconds,
  dayKey,
  duration,
  hourRange,
  recentDays,
  weekdayDay,
  zoneName,
} from './time';

const SVG = 'http://www.w3.org/2000/svg';
const DAYS_SHOWN = 7;
const CHART_MS = 500;

export class Views {
  private readonly charts: UserCharts;
  private timebarKey = '';
  /**
   * Redrawing a chart costs milliseconds (the 7 d series has 168 points and a band); a user rated many
   * times a second is shown at most twice a second. The figures on the cards follow every push.
   */
  private readonly chartsSoon = throttled(CHART_MS, () => this.d.frames.mark('charts'));
  private chartsAt = 0;

  constructor(private readonly d: Dashboard) {
    this.charts = new UserCharts(byId<HTMLCanvasElement>('histogram'), byId<HTMLCanvasElement>('series'));
  }

  /** The slowest render of each part so far (ms), for the load test. */
  readonly slowest: Partial<Record<Part | 'draw', number>> = {};
  /** How many chart redraws there were and how long they took in all (ms), for the benchmark. */
  readonly draws = { count: 0, totalMs: 0 };

  render(parts: ReadonlySet<Part>): void {
    for (const part of parts) {
      const started = performance.now();
      this.renderPart(part);
      this.slowest[part] = Math.max(this.slowest[part] ?? 0, performance.now() - started);
    }
    if (parts.has('user') || parts.has('charts')) {
      if (performance.now() - this.chartsAt < CHART_MS) this.chartsSoon();
      else {
        const started = performance.now();
        this.chartsAt = started;
        this.drawCharts();
        const ms = performance.now() - started;
        this.slowest.draw = Math.max(this.slowest.draw ?? 0, ms);
        this.draws.count++;
        this.draws.totalMs += ms;
      }
    }
  }

  private renderPart(part: Part): void {
    switch (part) {
      case 'mode':
        return this.mode();
      case 'timebar':
        return this.timebar();
      case 'banners':
        return this.banners();
      case 'users':
        return this.users();
      case 'user':
        return this.user();
      case 'charts':
        return; // drawn by render(), at most every CHART_MS
      case 'movies':
        return this.movies();
      case 'trending':
        return this.trending();
      case 'raters':
        return this.raters();
      case 'health':
        return this.health();
      case 'feed':
        return this.feed();
    }
  }

  private mode(): void {
    const { d } = this;
    setText(byId('mode-text'), d.live ? 'Live — following now' : `Viewing ${hourRange(d.hour, d.zone)} —`);
    byId('mode').classList.toggle('past', !d.live);
    byId('back-live').hidden = d.live;
    const zone = byId('zone-toggle');
    setText(zone, d.zone === 'utc' ? 'Times: UTC' : `Times: local (${zoneName('local')})`);
    zone.setAttribute('aria-pressed', String(d.zone === 'utc'));
    zone.title = d.zone === 'utc' ? 'Show times in your time zone' : 'Show times in UTC';
  }

  /** The day strip and the hour picker, rebuilt only when what they offer changed (not under the user's hands). */
  private timebar(): void {
    const { d } = this;
    const now = Date.now();
    const key = `${d.zone}|${d.hour}|${d.live}|${Math.floor(now / HOUR_MS)}`;
    if (key === this.timebarKey) return;
    this.timebarKey = key;
    const days = recentDays(now, d.zone, DAYS_SHOWN);
    const viewedDay = dayKey(d.hour, d.zone);
    const strip = byId('days');
    strip.replaceChildren(
      ...days.map((day) => {
        const b = el('button', 'chip day', weekdayDay(day.hours[0], d.zone));
        b.type = 'button';
        b.dataset.day = day.key;
        b.setAttribute('aria-pressed', String(day.key === viewedDay));
        b.addEventListener('click', () => {
          // The same time of day on the other day, or its last hour so far.
          const same = day.hours.find((h) => clock(h, d.zone) === clock(d.hour, d.zone));
          d.viewHour(same ?? day.hours[day.hours.length - 1]);
        });
        return b;
      }),
    );
    const day = days.find((x) => x.key === viewedDay) ?? days[days.length - 1];
    const current = days[days.length - 1].hours[days[days.length - 1].hours.length - 1];
    const select = byId<HTMLSelectElement>('hour-select');
    select.replaceChildren(
      ...day.hours.map((h) => {
        const o = el(
          'option',
          undefined,
          `${clock(h, d.zone)}–${clock(h + HOUR_MS, d.zone)}${h === current ? ' (now)' : ''}`,
        );
        o.value = new Date(h).toISOString();
        o.selected = h === d.hour;
        return o;
      }),
    );
    const live = byId('live-button');
    live.setAttribute('aria-pressed', String(d.live));
  }

  private banners(): void {
    const { d } = this;
    const list = banners({ connected: d.connected, health: d.health, restUnavailableAt: d.restUnavailableAt });
    const box = byId('banners');
    const key = list.map((b) => b.id).join('|');
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren(
      ...list.map((b) => {
        const div = el('div', `banner ${b.level}`, b.text);
        div.dataset.banner = b.id;
        return div;
      }),
    );
    const dot = byId('connection');
    dot.classList.toggle('on', d.connected);
    dot.title = d.connected ? 'connected' : 'disconnected';
    dot.setAttribute('aria-label', `live updates: ${dot.title}`);
  }

  private users(): void {
    const { d } = this;
    const u = d.users;
    setText(byId('users-hour'), d.live ? 'this hour' : hourRange(d.hour, d.zone));
    showError(byId('users-error'), u.error);
    const list = byId('user-list');
    list.replaceChildren(
      ...sortUsers(u.rows, u.sort).map((row) => {
        const li = el('li');
        li.dataset.name = row.name;
        const b = el('button', 'user-row');
        b.type = 'button';
        b.append(
          nameNode(row.name),
          el('span', 'count', String(row.count)),
          el('span', 'avg', formatAverage(row.average, 1)),
        );
        b.setAttribute(
          'aria-label',
          `${row.name.trim() ? row.name : 'blank name'}: ${row.count} ratings, average ${formatAverage(row.average)}`,
        );
        if (row.name === d.route.user) {
          li.classList.add('selected');
          b.setAttribute('aria-current', 'true');
        }
        b.addEventListener('click', () => d.openUser(row.name));
        li.append(b);
        return li;
      }),
    );
    byId('users-empty').hidden = !u.loaded || !!u.error || u.rows.length > 0;
    if (u.loaded && !u.error && u.rows.length === 0 && u.prefix)
      setText(byId('users-empty'), `No names start with “${u.prefix}” in this hour.`);
    else setText(byId('users-empty'), 'Nobody rated in this hour.');
    setText(byId('users-page'), u.loaded ? `page ${u.index + 1}` : '');
    byId<HTMLButtonElement>('users-prev').disabled = u.index === 0;
    byId<HTMLButtonElement>('users-next').disabled = !u.next;
  }

  private user(): void {
    const { d } = this;
    const name = d.route.user;
    const head = byId('selected-user');
    byId('user-panel').classList.toggle('empty', name === undefined);
    head.replaceChildren(name === undefined ? 'Pick a user' : nameNode(name, 'user-name'));
    head.classList.toggle('muted', name === undefined);
    setText(
      byId('user-hour'),
      name === undefined ? '' : d.live ? `this hour, ${hourRange(d.hour, d.zone)}` : hourRange(d.hour, d.zone),
    );
    showError(byId('user-error'), d.user.error);
    const s = name === undefined ? undefined : d.user.series.get(d.hour);
    const prev = name === undefined ? undefined : d.user.series.get(d.hour - HOUR_MS);
    const average = formatAverage(s?.count ? s.average : null);
    const count = name === undefined ? '–' : String(s?.count ?? 0);
    const avgNode = byId('current-average');
    const countNode = byId('current-count');
    if (avgNode.textContent !== average || countNode.textContent !== count) {
      setText(avgNode, average);
      setText(countNode, count);
      flash(avgNode);
      flash(countNode);
    }
    setText(byId('current-range'), s?.count ? `${s.min} / ${s.max}` : '–');
    setText(byId('previous-average'), formatAverage(prev?.count ? prev.average : null));
  }

  private drawCharts(): void {
    const { d } = this;
    // The histogram in a frame of its own: two charts in one frame make one long task of two short ones.
    requestAnimationFrame(() =>
      this.charts.showHistogram(d.route.user === undefined ? undefined : d.user.series.get(d.hour)),
    );
    for (const id of ['series-24h', 'series-7d']) {
      const b = byId(id);
      b.setAttribute('aria-pressed', String(Number(b.dataset.span) === d.user.span));
    }
    this.charts.showSeries(d.user.series, d.hour, d.user.span, d.zone);
  }

  private movies(): void {
    const { d } = this;
    const m = d.movies;
    showError(byId('movies-error'), d.route.user === undefined ? undefined : m.error);
    const body = byId<HTMLTableElement>('user-movies').tBodies[0];
    const rows = d.route.user === undefined ? [] : m.rows;
    body.replaceChildren(
      ...rows.map((r) => {
        const tr = el('tr');
        const title = el('td', 'title', r.movie);
        title.title = r.movie;
        tr.append(el('td', 'time', clockSeconds(Date.parse(r.time), d.zone)), title, el('td', 'num', String(r.rating)));
        return tr;
      }),
    );
    byId('movies-empty').hidden = d.route.user === undefined || !m.loaded || !!m.error || rows.length > 0;
    byId<HTMLButtonElement>('movies-prev').disabled = m.index === 0;
    byId<HTMLButtonElement>('movies-next').disabled = !m.next;
  }

  private trending(): void {
    const { d } = this;
    const t = d.trending;
    for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-window]'))) {
      b.setAttribute('aria-pressed', String(b.dataset.window === t.window));
    }
    showError(byId('trending-error'), t.error || undefined);
    const list = byId('trending');
    list.dataset.window = t.answer?.window ?? '';
    if (!t.answer) {
      list.replaceChildren(el('li', 'muted', 'Loading…'));
      return;
    }
    const unit = t.answer.span === 'hour' ? 'hour' : 'minute';
    const items = t.answer.movies.map((m, i) => {
      const li = el('li');
      li.dataset.movie = m.movie;
      const title = el('button', 'title link', m.movie);
      title.type = 'button';
      title.title = `${m.movie}: who rated it recently`;
      title.addEventListener('click', () => void d.openRaters(m.movie));
      const meta = el('span', 'meta');
      meta.append(el('span', 'count', String(m.count)), ' · ★ ', el('span', 'avg', m.average.toFixed(1)));
      li.append(el('span', 'rank', String(i + 1)), title, sparkline(m.series ?? [], `ratings per ${unit}`), meta);
      return li;
    });
    list.replaceChildren(...(items.length ? items : [el('li', 'muted', 'No ratings in the window yet.')]));
  }

  private raters(): void {
    const { d } = this;
    const r = d.raters;
    const box = byId('raters');
    box.hidden = r.movie === undefined;
    if (r.movie === undefined) return;
    setText(byId('raters-title'), `Recent raters of ${r.movie}`);
    setText(
      byId('raters-note'),
      r.answer ? `seen by this service since ${clock(Date.parse(r.answer.since), d.zone)}` : r.error ? '' : 'Loading…',
    );
    showError(byId('raters-error'), r.error || undefined);
    byId('raters-list').replaceChildren(
      ...(r.answer?.raters ?? []).map((x) => {
        const li = el('li');
        const who = el('button', 'link');
        who.type = 'button';
        who.append(nameNode(x.name));
        who.addEventListener('click', () => d.openUser(x.name));
        li.append(
          who,
          el('span', 'stars', `${x.rating}/10`),
          el('span', 'muted', clockSeconds(Date.parse(x.time), d.zone)),
        );
        return li;
      }),
    );
    if (r.answer && r.answer.raters.length === 0)
      byId('raters-list').replaceChildren(el('li', 'muted', 'Nobody rated it since.'));
  }

  private health(): void {
    const { d } = this;
    const h = d.health;
    const fresh = h && Date.now() - d.healthAt < 10_000;
    setText(
      byId('health-time'),
      h ? `as of ${clockSeconds(Date.parse(h.time), d.zone)}` : d.connected ? 'waiting…' : '',
    );
    setText(byId('rate'), h ? perSecond(h.ratingsIn) : d.system ? perSecond(d.system.ratingsPerSecond) : '–');
    setText(byId('rate-written'), h ? perSecond(h.ratingsWritten) : '–');
    const lag = h ? h.lag.total : d.system?.consumerLag;
    setText(byId('lag'), lag === undefined ? '–' : lag === null ? '?' : String(lag));
    setText(byId('freshness'), h?.freshness ? `${duration(h.freshness.p50Ms)} / ${duration(h.freshness.p99Ms)}` : '–');
    if (h?.lastFlush) {
      const ageMs = h.lastFlush.ageMs + (Date.now() - d.healthAt);
      setText(byId('flush'), `${age(ageMs)} ago · ${h.lastFlush.ratings} in ${duration(h.lastFlush.durationMs)}`);
    } else setText(byId('flush'), h ? 'none yet' : '–');
    setText(byId('dlq-rate'), h ? String(Math.round(h.deadLetters.perMinute * 10) / 10) : '–');
    byId('dlq-rate').classList.toggle('bad', !!h && h.deadLetters.perMinute > 0);
    if (!h) return;
    // The rest changes only with a push, not with the clock.
    const bars = byId('lag-bars');
    const key = `${h.time}|${fresh}`;
    if (bars.dataset.key === key) return;
    bars.dataset.key = key;
    bars.replaceChildren(
      ...lagBars(h.lag.partitions).map((p) => {
        const row = el('div', 'lag-bar');
        row.title = `partition ${p.partition}: ${p.lag} behind`;
        const fill = el('span', 'fill');
        fill.style.width = `${Math.round(p.share * 100)}%`;
        const track = el('span', 'track');
        track.append(fill);
        row.append(el('span', 'p', `p${p.partition}`), track, el('span', 'n', String(p.lag)));
        return row;
      }),
    );
    byId('services').replaceChildren(
      ...Object.entries(h.services).map(([service, state]) => {
        const li = el('li', `service ${state}`);
        li.dataset.service = service;
        li.append(
          el('span', 'state-dot', state === 'up' ? '●' : state === 'down' ? '✕' : '?'),
          ` ${service} `,
          el('span', 'state', state),
        );
        return li;
      }),
    );
    byId('dlq-latest').replaceChildren(
      ...h.deadLetters.latest.slice(0, 5).map((x) => {
        const li = el('li');
        const reason = el('span', 'reason', x.reason);
        li.title = x.error;
        li.append(
          el('span', 'muted', clockSeconds(Date.parse(x.time), d.zone)),
          ' ',
          reason,
          ' ',
          el('span', 'err', x.error),
        );
        return li;
      }),
    );
  }

  private feed(): void {
    const { d } = this;
    const items = d.feedPending.all();
    if (items.length === 0) return;
    const list = byId('feed');
    const fragment = document.createDocumentFragment();
    // Newest first: the pending items are newest first already.
    for (const item of items) {
      const li = el('li');
      const who = nameNode(item.name, 'who');
      const movie = el('span', 'movie', item.movie);
      movie.title = item.movie;
      li.append(who, el('span', 'stars', `${item.rating}/10`), movie);
      fragment.append(li);
    }
    d.feedPending.clear();
    list.prepend(fragment);
    while (list.children.length > d.feedPending.capacity) list.lastElementChild?.remove();
  }
}

function sparkline(series: readonly number[], label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 60 18');
  svg.setAttribute('width', '60');
  svg.setAttribute('height', '18');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${label}: ${series.join(', ')}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', sparklinePoints(series, 60, 18));
  svg.append(line);
  return svg;
}

const FLASH_EVERY_MS = 2000;
const flashedAt = new WeakMap<HTMLElement, number>();
/** Viewers who asked their system for less motion get the new figure without the fade. */
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

/**
 * A changed figure fades in. Opacity, unlike colour, is animated by the compositor: a colour animation
 * repainted the card every frame, and a watched user's figures change several times a second, so the
 * page painted and committed 60 times a second for good (Web Animations rather than restarting a CSS
 * animation: no forced layout).
 */
function flash(node: HTMLElement): void {
  // At most one fade every FLASH_EVERY_MS: a user rated several times a second would otherwise keep
  // the figure fading without pause, which says nothing more than the changing digits and keeps the
  // compositor drawing every frame.
  if (reducedMotion.matches) return;
  const now = performance.now();
  if (now - (flashedAt.get(node) ?? -Infinity) < FLASH_EVERY_MS) return;
  flashedAt.set(node, now);
  node.animate([{ opacity: 0.35 }, { opacity: 1 }], { duration: 600, easing: 'ease-out' });
}
