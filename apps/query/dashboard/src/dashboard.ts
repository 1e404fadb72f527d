/**
 * The dashboard's state and what changes it: the route (which hour, which user), REST answers and
 * socket.io pushes. Nothing here writes the DOM directly: it marks parts dirty and the views render
 * them in the next animation frame (frame.ts).
 */
import { Api, ApiError, describeError, seg } from './api';
import { BoundedMap, Newest } from './bounded';
import { FrameScheduler, throttled } from './frame';
import { withStats, type UserSort } from './people';
import { formatRoute, parseRoute, type Route } from './route';
import { HOUR_MS, hourStart, isoHour, type Zone } from './time';
import { io, type Socket } from './vendor';
import type {
  FeedItem,
  HourlyStats,
  MoviesAnswer,
  PipelineHealth,
  RangeAnswer,
  RatersAnswer,
  SubscribeAck,
  SystemStatus,
  TrendingAnswer,
  UserStat,
  UsersAnswer,
} from './wire';

export type Part =
  'mode' | 'timebar' | 'banners' | 'users' | 'user' | 'charts' | 'movies' | 'trending' | 'raters' | 'health' | 'feed';

export const USERS_PAGE = 50;
export const MOVIES_PAGE = 20;
export const FEED_MAX = 50;
export const TRENDING_WINDOWS = ['10m', '1h', '24h'] as const;
export type TrendingWindow = (typeof TRENDING_WINDOWS)[number];
const TRENDING_POLL_MS = 20_000;
const USERS_REFRESH_MS = 30_000;
/**
 * The ticker is redrawn at most 4 times a second, whatever QUERY_FEED_INTERVAL_MS: each redraw lays
 * out, paints and rasterises its panel, and a ticker is no easier to read at 20 redraws a second.
 */
const FEED_MS = 250;
const ZONE_KEY = 'reeltime.zone';

/** A paged list: the page states of the pages before (index 0 = the first page, no state). */
interface Paged<T> {
  states: Array<string | undefined>;
  index: number;
  rows: T[];
  next?: string;
  error?: string;
  loaded: boolean;
  /** Answers to an older request are dropped. */
  seq: number;
}

const paged = <T>(): Paged<T> => ({ states: [undefined], index: 0, rows: [], loaded: false, seq: 0 });

export class Dashboard {
  zone: Zone = localStorage.getItem(ZONE_KEY) === 'utc' ? 'utc' : 'local';
  route: Route = {};
  /** The hour "live" currently means (the current UTC hour when the route was last applied or the hour turned). */
  liveHour = hourStart(Date.now());
  connected = false;
  health?: PipelineHealth;
  healthAt = 0;
  system?: SystemStatus;
  restUnavailableAt?: number;

  readonly users = { ...paged<UserStat>(), prefix: '', sort: 'name' as UserSort, count: 0 };
  readonly user = {
    series: new BoundedMap<number, HourlyStats>(24 * 8),
    span: 24 as 24 | 168,
    error: undefined as string | undefined,
    /** Subscribed with the socket (resubscribed after each reconnect). */
    subscribed: undefined as string | undefined,
  };
  readonly movies = paged<MoviesAnswer['movies'][number]>();
  readonly trending = { window: '10m' as TrendingWindow, answer: undefined as TrendingAnswer | undefined, error: '' };
  readonly raters = {
    movie: undefined as string | undefined,
    answer: undefined as RatersAnswer | undefined,
    error: '',
  };
  /** Feed items not yet rendered (bounded: a hidden tab renders nothing and must not pile them up). */
  readonly feedPending = new Newest<FeedItem>(FEED_MAX);

  readonly frames: FrameScheduler<Part>;
  private readonly api: Api;
  private socket?: Socket;
  private moviesRefresh?: ReturnType<typeof setTimeout>;
  private searchTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly token: string | null,
    render: (parts: ReadonlySet<Part>) => void,
  ) {
    this.frames = new FrameScheduler(render);
    this.api = new Api(token, {
      onAnswer: (unavailable) => {
        const was = this.restUnavailableAt;
        this.restUnavailableAt = unavailable ? Date.now() : undefined;
        if ((was === undefined) !== (this.restUnavailableAt === undefined)) this.frames.mark('banners');
      },
    });
  }

  /** The hour on view: the route's, or the current one when following now. */
  get hour(): number {
    return this.route.hour ?? this.liveHour;
  }

  get live(): boolean {
    return this.route.hour === undefined;
  }

  start(): void {
    this.socket = io('/live', { transports: ['websocket', 'polling'], auth: this.token ? { token: this.token } : {} });
    this.socket.on('connect', () => {
      this.connected = true;
      // After a reconnect the server has forgotten the rooms: subscribe again.
      this.user.subscribed = undefined;
      this.subscribe();
      this.frames.mark('banners', 'health');
    });
    this.socket.on('disconnect', (reason) => {
      this.connected = false;
      this.frames.mark('banners', 'health');
      // A server that closed the socket itself is not retried by socket.io: try again, as for a lost connection.
      if (reason === 'io server disconnect') setTimeout(() => this.socket?.connect(), 2000);
    });
    this.socket.on('connect_error', () => {
      this.connected = false;
      this.frames.mark('banners');
    });
    this.socket.on('stats', (s: HourlyStats) => this.onStats(s));
    const feedSoon = throttled(FEED_MS, () => this.frames.mark('feed'));
    this.socket.on('feed', (items: FeedItem[]) => {
      this.feedPending.push(...items);
      feedSoon();
    });
    this.socket.on('trending', (answer: TrendingAnswer) => {
      if (this.trending.window !== '10m') return;
      this.trending.answer = answer;
      this.trending.error = '';
      this.frames.mark('trending');
    });
    this.socket.on('system', (s: SystemStatus) => {
      this.system = s;
      this.frames.mark('health');
    });
    this.socket.on('health', (h: PipelineHealth) => {
      this.health = h;
      this.healthAt = Date.now();
      this.frames.mark('health', 'banners');
    });

    addEventListener('hashchange', () => this.applyRoute(parseRoute(location.hash)));
    this.applyRoute(parseRoute(location.hash), true);
    void this.loadTrending();

    setInterval(() => this.tick(), 1000);
    setInterval(() => {
      if (this.live) void this.loadUsers();
    }, USERS_REFRESH_MS);
    setInterval(() => {
      if (this.trending.window !== '10m') void this.loadTrending();
    }, TRENDING_POLL_MS);
  }

  // ---------- navigation ----------

  navigate(route: Route): void {
    const hash = formatRoute(route);
    if (location.hash === hash) return;
    location.hash = hash;
  }

  openUser(name: string): void {
    this.navigate({ user: name, hour: this.route.hour });
  }

  viewHour(hour: number | undefined): void {
    const live = hour === undefined || hour >= hourStart(Date.now());
    this.navigate({ user: this.route.user, hour: live ? undefined : hour });
  }

  setZone(zone: Zone): void {
    this.zone = zone;
    localStorage.setItem(ZONE_KEY, zone);
    this.frames.mark('mode', 'timebar', 'users', 'user', 'charts', 'movies', 'trending', 'raters', 'health', 'feed');
  }

  private applyRoute(route: Route, first = false): void {
    const before = { hour: this.hour, user: this.route.user };
    this.route = route;
    if (route.hour !== undefined && route.hour >= hourStart(Date.now())) this.route = { user: route.user };
    this.liveHour = hourStart(Date.now());
    const hourChanged = first || before.hour !== this.hour;
    const userChanged = first || before.user !== this.route.user;
    if (hourChanged) {
      Object.assign(this.users, paged<UserStat>());
      void this.loadUsers();
    }
    if (userChanged) {
      if (this.user.subscribed !== undefined) this.socket?.emit('unsubscribe', { name: this.user.subscribed });
      this.user.subscribed = undefined;
      this.user.series.clear();
      this.user.error = undefined;
      this.subscribe();
    }
    if (this.route.user !== undefined && (userChanged || hourChanged)) {
      void this.loadRange();
      Object.assign(this.movies, paged());
      void this.loadMovies();
    }
    this.frames.mark('mode', 'timebar', 'users', 'user', 'charts', 'movies');
  }

  /** Once a second: the live hour may have turned, and ages ("flushed 12 s ago") move on. */
  private tick(): void {
    const now = hourStart(Date.now());
    if (this.live && now !== this.liveHour) this.applyRoute(this.route);
    this.frames.mark('health');
  }

  // ---------- users of the hour ----------

  search(prefix: string): void {
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      const typed = prefix.trim() ? prefix : '';
      if (typed === this.users.prefix) return;
      Object.assign(this.users, paged<UserStat>(), { prefix: typed });
      void this.loadUsers();
    }, 250);
  }

  sortUsers(by: UserSort): void {
    this.users.sort = by;
    this.frames.mark('users');
  }

  usersPage(step: 1 | -1): void {
    const u = this.users;
    if (step === 1 && u.next) {
      u.states[u.index + 1] = u.next;
      u.index++;
    } else if (step === -1 && u.index > 0) u.index--;
    else return;
    void this.loadUsers();
  }

  private async loadUsers(): Promise<void> {
    const u = this.users;
    const seq = ++u.seq;
    const hour = this.hour;
    try {
      const answer = await this.api.get<UsersAnswer>(`/api/hours/${isoHour(hour)}/users`, {
        limit: USERS_PAGE,
        withStats: true,
        prefix: u.prefix || undefined,
        pageState: u.states[u.index],
      });
      if (seq !== u.seq) return;
      u.rows = withStats(answer.users, answer.stats);
      u.next = answer.pageState;
      u.count = answer.count;
      u.error = undefined;
    } catch (err) {
      if (seq !== u.seq) return;
      u.error = describeError(err);
    }
    u.loaded = true;
    this.frames.mark('users');
  }

  // ---------- the open user ----------

  setSpan(span: 24 | 168): void {
    if (this.user.span === span) return;
    this.user.span = span;
    void this.loadRange();
    this.frames.mark('charts');
  }

  private subscribe(): void {
    const name = this.route.user;
    if (name === undefined || !this.socket?.connected || this.user.subscribed === name) return;
    this.user.subscribed = name;
    this.socket.emit('subscribe', { name }, (ack: SubscribeAck) => {
      if (this.route.user !== name) return;
      if (!ack.ok) {
        this.user.error = `Live updates refused: ${ack.error}`;
        this.user.subscribed = undefined;
      } else {
        for (const s of ack.stats) this.keepStats(s);
      }
      this.frames.mark('user', 'charts');
    });
  }

  private async loadRange(): Promise<void> {
    const name = this.route.user;
    if (name === undefined) return;
    const to = this.hour;
    const from = to - (this.user.span - 1) * HOUR_MS;
    try {
      const answer = await this.api.get<RangeAnswer>(`/api/users/${seg(name)}/hours`, {
        from: isoHour(from),
        to: isoHour(to),
      });
      if (this.route.user !== name) return;
      // A push may have arrived meanwhile with newer figures: keep the newer.
      for (const s of answer.hours) this.keepStats(s);
      this.user.error = undefined;
    } catch (err) {
      if (this.route.user !== name) return;
      this.user.error = describeError(err);
    }
    this.frames.mark('user', 'charts');
  }

  private keepStats(s: HourlyStats): void {
    const hour = Date.parse(s.hour);
    const had = this.user.series.get(hour);
    if (had && Date.parse(had.updatedAt) > Date.parse(s.updatedAt)) return;
    this.user.series.set(hour, s);
  }

  private onStats(s: HourlyStats): void {
    // The list's row of this user, when it is listed for that hour, follows the push too.
    if (Date.parse(s.hour) === this.hour) {
      const row = this.users.rows.find((r) => r.name === s.name);
      if (row && (row.count !== s.count || row.average !== s.average)) {
        row.count = s.count;
        row.average = s.average;
        this.frames.mark('users');
      }
    }
    if (s.name !== this.route.user) return;
    this.keepStats(s);
    const hour = Date.parse(s.hour);
    if (hour === this.hour || hour === this.hour - HOUR_MS) this.frames.mark('user');
    if (hour <= this.hour && hour > this.hour - this.user.span * HOUR_MS) this.frames.mark('charts');
    // The hour on view changed: its movies page again, at most once a second.
    if (hour === this.hour && this.moviesRefresh === undefined) {
      this.moviesRefresh = setTimeout(() => {
        this.moviesRefresh = undefined;
        void this.loadMovies();
      }, 1000);
    }
  }

  moviesPage(step: 1 | -1): void {
    const m = this.movies;
    if (step === 1 && m.next) {
      m.states[m.index + 1] = m.next;
      m.index++;
    } else if (step === -1 && m.index > 0) m.index--;
    else return;
    void this.loadMovies();
  }

  private async loadMovies(): Promise<void> {
    const name = this.route.user;
    if (name === undefined) return;
    const m = this.movies;
    const seq = ++m.seq;
    try {
      const answer = await this.api.get<MoviesAnswer>(`/api/users/${seg(name)}/hours/${isoHour(this.hour)}/movies`, {
        limit: MOVIES_PAGE,
        pageState: m.states[m.index],
      });
      if (seq !== m.seq) return;
      m.rows = answer.movies;
      m.next = answer.pageState;
      m.error = undefined;
    } catch (err) {
      if (seq !== m.seq) return;
      m.error = describeError(err);
    }
    m.loaded = true;
    this.frames.mark('movies');
  }

  // ---------- movies ----------

  setTrendingWindow(window: TrendingWindow): void {
    if (this.trending.window === window) return;
    this.trending.window = window;
    this.trending.answer = undefined;
    this.frames.mark('trending');
    void this.loadTrending();
  }

  private async loadTrending(): Promise<void> {
    const window = this.trending.window;
    try {
      const answer = await this.api.get<TrendingAnswer>('/api/movies/trending', { window, limit: 10 });
      if (this.trending.window !== window) return;
      this.trending.answer = answer;
      this.trending.error = '';
    } catch (err) {
      if (this.trending.window !== window) return;
      this.trending.error = describeError(err);
    }
    this.frames.mark('trending');
  }

  async openRaters(movie: string): Promise<void> {
    this.raters.movie = movie;
    this.raters.answer = undefined;
    this.raters.error = '';
    this.frames.mark('raters');
    try {
      const answer = await this.api.get<RatersAnswer>(`/api/movies/${seg(movie)}/raters`, { limit: 20 });
      if (this.raters.movie !== movie) return;
      this.raters.answer = answer;
    } catch (err) {
      if (this.raters.movie !== movie) return;
      this.raters.error = err instanceof ApiError && err.status === 404 ? 'No recent raters seen.' : describeError(err);
    }
    this.frames.mark('raters');
  }

  closeRaters(): void {
    this.raters.movie = undefined;
    this.raters.answer = undefined;
    this.frames.mark('raters');
  }
}
