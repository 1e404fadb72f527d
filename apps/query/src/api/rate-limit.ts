import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import {
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerStorage,
  getStorageToken,
  normalizeIp,
} from '@nestjs/throttler';
import { AppConfig } from '@reeltime/config';
import type { Request, Response } from 'express';
import type { Socket } from 'socket.io';
import { toErrorBody } from './error-edge';
import { QueryError } from './query-error';

/**
 * Rate limits per client (@nestjs/throttler, its in-memory storage): every REST request under /api counts
 * against one budget per client address, and every socket.io event against another, each
 * QUERY_RATE_LIMIT / QUERY_LIVE_RATE_LIMIT per QUERY_RATE_WINDOW_MS (0: no limit). Over it, REST answers
 * 429 with Retry-After, and a socket event gets an error ack (api/error-edge.ts) without being handled.
 */

/** The key of a client's budget: one per transport and address, whatever the route (the default is per route). */
export const budgetKey = (transport: string, address: string) => `${transport}:${address}`;

const THROTTLER = 'default'; // the default name: the header is plain `Retry-After`

const limitOf = (config: AppConfig, transport: string) =>
  transport === 'ws' ? config.query.liveRateLimit : config.query.restRateLimit;

const message = (d: Pick<ThrottlerLimitDetail, 'limit' | 'ttl' | 'timeToBlockExpire'>, what: string) =>
  `rate limit: at most ${d.limit} ${what} per ${d.ttl / 1000} s per client; retry in ${d.timeToBlockExpire} s`;

export const rateLimitModule = ThrottlerModule.forRootAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    throttlers: [{ name: THROTTLER, ttl: config.query.rateWindowMs, limit: (ctx) => limitOf(config, ctx.getType()) }],
    skipIf: (ctx) => limitOf(config, ctx.getType()) === 0,
    generateKey: (ctx, tracker) => budgetKey(ctx.getType(), tracker),
    errorMessage: (ctx, detail) => message(detail, ctx.getType() === 'ws' ? 'events' : 'requests'),
  }),
});

/** On the REST controllers: ahead of the read-token guard, so that requests without a token count too. */
@Injectable()
export class RestRateLimitGuard extends ThrottlerGuard {}

/** On the gateway's event handlers: the client is the socket's remote address; over budget, a rate_limited QueryError. */
@Injectable()
export class LiveRateLimitGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext) {
    // No HTTP response to set headers on: the Retry-After goes in the error ack.
    return { req: context.switchToWs().getClient<Socket>(), res: {} };
  }

  protected override getTracker(socket: Record<string, unknown>): Promise<string> {
    return Promise.resolve(normalizeIp((socket as unknown as Socket).handshake.address));
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const text = await this.getErrorMessage(context, detail);
    throw new QueryError('rate_limited', text, { retryAfterSeconds: detail.timeToBlockExpire });
  }
}

/**
 * The same budget for the answers the cached-answers middleware writes ahead of Nest (and its guards):
 * it asks this first, with the guard's storage and key, so a cached route is no way around the limit.
 */
@Injectable()
export class RestRateLimit {
  constructor(
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  /** Counts the request; true when it may go on, otherwise it has been answered 429. */
  async admit(req: Request, res: Response): Promise<boolean> {
    const limit = this.config.query.restRateLimit;
    if (limit === 0) return true;
    const ttl = this.config.query.rateWindowMs;
    const key = budgetKey('http', normalizeIp(req.ip ?? ''));
    const record = await this.storage.increment(key, ttl, limit, ttl, THROTTLER);
    if (!record.isBlocked) return true;
    const text = message({ limit, ttl, timeToBlockExpire: record.timeToBlockExpire }, 'requests');
    const body = toErrorBody(new QueryError('rate_limited', text, { retryAfterSeconds: record.timeToBlockExpire }));
    res.status(body.statusCode).setHeader('Retry-After', String(record.timeToBlockExpire));
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
    return false;
  }
}

/** The OpenAPI description of the 429 every rate-limited route can answer. */
export const TOO_MANY_REQUESTS = {
  description: 'Over QUERY_RATE_LIMIT requests in QUERY_RATE_WINDOW_MS from this client address',
  headers: { 'Retry-After': { description: 'seconds until the client may retry', schema: { type: 'integer' } } },
} as const;
