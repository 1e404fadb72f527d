import { DynamicModule } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { APP_GUARD } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { QueryModule } from '../query.module';
import { GUARDS_DONE_HERE, cachedAnswers } from './cached-answers.middleware';
import { UsersController } from './users.controller';
import { StatsService } from './stats.service';

const H = Date.parse('2026-11-21T10:00:00Z');

function call(url: string, cached: unknown, readToken?: string, headers: Record<string, string> = {}) {
  const lookups: unknown[][] = [];
  const stats = {
    cachedAnswer: (...args: unknown[]) => {
      lookups.push(args);
      return cached;
    },
  } as unknown as StatsService;
  let body: string | undefined;
  const res = { setHeader: jest.fn(), end: (b: string) => (body = b) } as unknown as Response;
  const next = jest.fn() as NextFunction;
  cachedAnswers(stats, readToken)({ method: 'GET', url, headers } as unknown as Request, res, next);
  return { body, passedOn: (next as jest.Mock).mock.calls.length === 1, lookups };
}

describe('cached answers fast path', () => {
  it('answers a cached average straight away, with the URL decoded as Nest decodes it', () => {
    const r = call('/api/users/Zo%C3%AB%20D%2FA/hours/2026-11-21T10/average', { average: 7 });
    expect(r.body).toBe('{"average":7}');
    expect(r.lookups).toEqual([['average', 'Zoë D/A', H]]);
  });

  it('passes misses, invalid hours, malformed escapes and query strings on to Nest', () => {
    expect(call('/api/users/Alice/hours/2026-11-21T10/stats', undefined).passedOn).toBe(true);
    expect(call('/api/users/Alice/hours/2026-11-21T10:30Z/stats', {}).passedOn).toBe(true);
    expect(call('/api/users/%E0%A4%A/hours/2026-11-21T10/stats', {}).passedOn).toBe(true);
    expect(call('/api/users/Alice/hours/2026-11-21T10/movies?limit=5', {}).passedOn).toBe(true);
    expect(call('/api/users/Alice/hours/2026-11-21T10/stats?x=1', {}).passedOn).toBe(true);
  });

  it('never answers without the read token when one is set: the guard answers those', () => {
    const url = '/api/users/Alice/hours/2026-11-21T10/average';
    const token = 'read-token-0123456789';
    expect(call(url, { average: 7 }, token)).toMatchObject({ passedOn: true, body: undefined, lookups: [] });
    const wrong = call(url, { average: 7 }, token, { authorization: 'Bearer not-the-token-at-all' });
    expect(wrong).toMatchObject({ passedOn: true, body: undefined });
    const right = call(url, { average: 7 }, token, { authorization: `Bearer ${token}` });
    expect(right).toMatchObject({ passedOn: false, body: '{"average":7}' });
  });
});

describe('cached answers and the guards', () => {
  const guardsOn = (target: object): unknown[] => (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[]) ?? [];

  /** Every APP_GUARD provider in the module tree: Nest runs those on every route, the cached ones too. */
  function globalGuards(module: unknown, seen = new Set<unknown>()): unknown[] {
    if (!module || seen.has(module)) return [];
    seen.add(module);
    const dynamic = module as Partial<DynamicModule>;
    const type = dynamic.module ?? module;
    const providers = [...(dynamic.providers ?? []), ...((Reflect.getMetadata('providers', type) as unknown[]) ?? [])];
    const imports = [...(dynamic.imports ?? []), ...((Reflect.getMetadata('imports', type) as unknown[]) ?? [])];
    const own = providers.filter((p) => (p as { provide?: unknown }).provide === APP_GUARD);
    return [...own, ...imports.flatMap((m) => globalGuards(m, seen))];
  }

  it.each([
    ['average', UsersController.prototype.average],
    ['stats', UsersController.prototype.hourStats],
  ])('does itself every guard of GET …/%s, which it answers ahead of Nest', (_route, handler) => {
    expect([...guardsOn(UsersController), ...guardsOn(handler)]).toEqual(GUARDS_DONE_HERE);
  });

  it('has no global guard to skip', () => {
    expect(globalGuards(QueryModule.register())).toEqual([]);
  });
});
