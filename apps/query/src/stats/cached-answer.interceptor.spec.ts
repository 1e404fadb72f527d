import { CallHandler, ExecutionContext, INestApplication } from '@nestjs/common';
import { APP_FILTER, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ConfigModule } from '@reeltime/config';
import { firstValueFrom, of } from 'rxjs';
import request from 'supertest';
import { HttpErrorFilter } from '../api/error-edge';
import { rateLimitModule } from '../api/rate-limit';
import { CachedAnswerInterceptor } from './cached-answer.interceptor';
import { StatsService } from './stats.service';
import { UsersController } from './users.controller';

const H = Date.parse('2026-11-21T10:00:00Z');

async function call(
  route: 'average' | 'stats' | undefined,
  url: string,
  params: Record<string, string>,
  cached: unknown,
) {
  const lookups: unknown[][] = [];
  const stats = {
    cachedAnswer: (...args: unknown[]) => {
      lookups.push(args);
      return cached;
    },
  } as unknown as StatsService;
  const reflector = { get: () => route } as unknown as Reflector;
  const context = {
    getHandler: () => undefined,
    switchToHttp: () => ({ getRequest: () => ({ method: 'GET', url, params }) }),
  } as unknown as ExecutionContext;
  const next: CallHandler = { handle: jest.fn(() => of('from the handler')) };
  const answer = await firstValueFrom(new CachedAnswerInterceptor(stats, reflector).intercept(context, next));
  return { answer, passedOn: (next.handle as jest.Mock).mock.calls.length === 1, lookups };
}

describe('cached answers', () => {
  const user = { name: 'Zoë D/A', hour: '2026-11-21T10' };

  it('answers a cached average straight away, for the name as the router decoded it', async () => {
    const r = await call('average', '/api/users/Zo%C3%AB%20D%2FA/hours/2026-11-21T10/average', user, { average: 7 });
    expect(r).toEqual({ answer: { average: 7 }, passedOn: false, lookups: [['average', 'Zoë D/A', H]] });
  });

  it('passes misses, invalid hours, query strings and other routes on to the handler', async () => {
    expect((await call('stats', '/api/users/A/hours/2026-11-21T10/stats', user, undefined)).passedOn).toBe(true);
    const unaligned = { name: 'A', hour: '2026-11-21T10:30Z' };
    expect((await call('stats', '/api/users/A/hours/2026-11-21T10:30Z/stats', unaligned, {})).passedOn).toBe(true);
    expect((await call('stats', '/api/users/A/hours/2026-11-21T10/movies?limit=5', user, {})).passedOn).toBe(true);
    expect((await call('stats', '/api/users/A/hours/2026-11-21T10/stats?x=1', user, {})).passedOn).toBe(true);
    expect((await call(undefined, '/api/users/A/hours/2026-11-21T10/movies', user, {})).passedOn).toBe(true);
  });
});

describe('cached answers behind the guards', () => {
  const token = 'read-token-0123456789';
  let app: INestApplication;
  const average = jest.fn();

  beforeAll(async () => {
    const stats = { cachedAnswer: () => ({ average: 7 }), average };
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ overrides: { QUERY_READ_TOKEN: token } }), rateLimitModule],
      controllers: [UsersController],
      providers: [
        { provide: StatsService, useValue: stats },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        CachedAnswerInterceptor,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('runs every guard of the route before answering from the cache', async () => {
    const url = '/api/users/Alice/hours/2026-11-21T10/average';
    await request(app.getHttpServer()).get(url).expect(401);
    await request(app.getHttpServer()).get(url).set('authorization', 'Bearer not-the-token-at-all').expect(403);
    const ok = await request(app.getHttpServer()).get(url).set('authorization', `Bearer ${token}`).expect(200);
    expect(ok.body).toEqual({ average: 7 });
    expect(ok.headers['x-ratelimit-limit']).toBeDefined();
    expect(average).not.toHaveBeenCalled();
  });
});
