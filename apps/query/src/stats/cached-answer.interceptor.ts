import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { parseHour } from '@reeltime/contracts';
import type { Request } from 'express';
import { Observable, of } from 'rxjs';
import { StatsService } from './stats.service';

type CachedRoute = 'average' | 'stats';

const CACHED_ROUTE = Symbol('cached-route');

/**
 * The hot path of the two most frequent reads (GET …/average and …/stats, e.g. a dashboard per
 * viewer): an answer already in the cache is returned before the validation pipe and the handler.
 * It runs after the guards (rate limit, read token), like every other answer.
 *
 * It answers only what the handler has answered before: an entry exists only for a (name, hour) that
 * passed the DTO validation, and this reads the same route parameters (parseHour), so an invalid
 * request can never match an entry; every miss, and any URL with a query string, goes on to the handler.
 */
@Injectable()
export class CachedAnswerInterceptor implements NestInterceptor {
  constructor(
    private readonly stats: StatsService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<CachedRoute | undefined>(CACHED_ROUTE, context.getHandler());
    const req = context.switchToHttp().getRequest<Request>();
    const answer = route && !req.url.includes('?') ? this.cached(route, req.params) : undefined;
    return answer === undefined ? next.handle() : of(answer);
  }

  private cached(route: CachedRoute, params: Request['params']): unknown {
    const { name, hour } = params as Record<string, string | undefined>;
    const parsed = hour === undefined ? undefined : parseHour(hour);
    if (name === undefined || !parsed?.ok) return undefined;
    return this.stats.cachedAnswer(route, name, parsed.hour);
  }
}

/** On a handler of GET users/:name/hours/:hour/<route>: a cached answer is returned without running it. */
export const AnswersFromCache = (route: CachedRoute) =>
  applyDecorators(SetMetadata(CACHED_ROUTE, route), UseInterceptors(CachedAnswerInterceptor));
