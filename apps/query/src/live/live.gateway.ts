import { Logger, OnApplicationBootstrap, OnApplicationShutdown, UseFilters, UseGuards } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { AppConfig } from '@reeltime/config';
import { HourlyStats } from '@reeltime/contracts';
import { MetricsRegistry } from '@reeltime/observability';
import { Gauge } from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import { Subscription } from 'rxjs';
import { ErrorAck, LiveErrorFilter } from '../api/error-edge';
import { QueryError } from '../api/query-error';
import { LiveRateLimitGuard } from '../api/rate-limit';
import { RatingsFeed } from '../feed/ratings-feed';
import { StatsService } from '../stats/stats.service';
import { PipelineHealthService } from '../system/pipeline-health.service';
import { SystemService } from '../system/system.service';
import { parseWindow } from '../trending/trending';
import { TrendingService } from '../trending/trending.service';
import { StatsSubscription } from './stats-subscription';
import { readSubscription } from './subscription';

/** An error's `retryAfter` (seconds): the client sent more events than QUERY_LIVE_RATE_LIMIT allows; nothing was done. */
export type SubscribeAck = { ok: true; stats: HourlyStats[] } | ErrorAck;

export const LIVE_TRENDING_WINDOW = '10m';
const TRENDING_LIMIT = 10;
const SYSTEM_INTERVAL_MS = 2000;
/** Rooms per socket: a dashboard follows one user; this bounds what one client can make us hold. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

const room = (name: string) => `user:${name}`;

/** The name a `subscribe`/`unsubscribe` payload names, or a bad_request QueryError saying what is wrong. */
function subscriptionName(body: unknown): string {
  const request = readSubscription(body);
  if (!request.ok) throw new QueryError('bad_request', request.error, { field: 'name' });
  return request.name;
}

/**
 * socket.io namespace /live: per-user `stats` pushes (rooms), a throttled `feed`, periodic
 * `trending`, `system` and `health` (the pipeline health panel). Each instance pushes to its own sockets from its own stats subscription.
 */
@WebSocketGateway({ namespace: '/live' })
// Every event counts against its client's budget; one over it is answered in its ack and not handled.
@UseGuards(LiveRateLimitGuard)
// Every error an event meets is answered in its ack, one way (api/error-edge.ts).
@UseFilters(LiveErrorFilter)
export class LiveGateway implements OnGatewayConnection, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveGateway.name);
  @WebSocketServer() private readonly server!: Namespace;
  private readonly timers: NodeJS.Timeout[] = [];
  private updates?: Subscription;
  private lastTrending: unknown;
  private readonly sockets: Gauge;

  constructor(
    private readonly stats: StatsService,
    private readonly subscription: StatsSubscription,
    private readonly feed: RatingsFeed,
    private readonly trending: TrendingService,
    private readonly system: SystemService,
    private readonly pipeline: PipelineHealthService,
    private readonly config: AppConfig,
    metrics: MetricsRegistry,
  ) {
    this.sockets = new Gauge({
      name: 'reeltime_query_live_sockets',
      help: 'connected /live sockets',
      registers: [metrics],
      collect: () => this.sockets.set(this.server?.sockets.size ?? 0),
    });
  }

  onApplicationBootstrap(): void {
    this.updates = this.subscription.updates.subscribe((s) => {
      // socket.io encodes a packet before it looks at who is in the room; most updates are for users
      // nobody watches (at 10,000 updates/s the encoding alone cost the service ~8 % of a core).
      const r = room(s.name);
      if (this.server.adapter.rooms.get(r)?.size) this.server.to(r).emit('stats', s);
    });
    const every = (ms: number, tick: () => Promise<void> | void) =>
      this.timers.push(
        setInterval(() => {
          if (this.server.sockets.size === 0) return;
          Promise.resolve()
            .then(tick)
            .catch((err: unknown) => this.logger.warn({ msg: 'live tick failed', err: String(err) }));
        }, ms),
      );
    every(this.config.query.feedIntervalMs, () => {
      const items = this.feed.take();
      if (items.length) this.server.emit('feed', items);
    });
    every(this.config.query.trendingRefreshMs, () => this.pushTrending());
    every(SYSTEM_INTERVAL_MS, async () => {
      const [status, health] = await Promise.all([this.system.status(), this.pipeline.health()]);
      this.server.emit('system', status);
      this.server.emit('health', health);
    });
  }

  onApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
    this.updates?.unsubscribe();
  }

  handleConnection(socket: Socket): void {
    // A new dashboard should not wait a refresh period for its first trending list and figures.
    if (this.lastTrending) socket.emit('trending', this.lastTrending);
    this.system.status().then(
      (s) => socket.emit('system', s),
      (err: unknown) => this.logger.warn({ msg: 'system status failed', err: String(err) }),
    );
    this.pipeline.health().then(
      (h) => socket.emit('health', h),
      (err: unknown) => this.logger.warn({ msg: 'pipeline health failed', err: String(err) }),
    );
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    const name = subscriptionName(body);
    const rooms = [...socket.rooms].filter((r) => r.startsWith('user:'));
    if (!rooms.includes(room(name)) && rooms.length >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new QueryError('bad_request', `at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`);
    }
    // Join first, then read: an update landing in between is pushed, never missed.
    await socket.join(room(name));
    return { ok: true, stats: await this.stats.currentAndPrevious(name) };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<{ ok: true }> {
    await socket.leave(room(subscriptionName(body)));
    return { ok: true };
  }

  private async pushTrending(): Promise<void> {
    const window = parseWindow(LIVE_TRENDING_WINDOW);
    if (!window.ok) return;
    this.lastTrending = await this.trending.trending(LIVE_TRENDING_WINDOW, window.ms, TRENDING_LIMIT);
    this.server.emit('trending', this.lastTrending);
  }
}
