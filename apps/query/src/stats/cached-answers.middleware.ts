import { parseHour } from '@reeltime/contracts';
import { checkBearer } from '@reeltime/observability';
import type { NextFunction, Request, Response } from 'express';
import { StatsService } from './stats.service';

const ROUTE = /^\/api\/users\/([^/?]+)\/hours\/([^/?]+)\/(average|stats)$/;

/**
 * The hot path of the two most frequent reads (GET …/average and …/stats, e.g. a dashboard per
 * viewer): an answer already in the cache is written straight from Express, ahead of Nest's
 * per-request machinery (logger child, pipes, interceptors), which costs several times the lookup.
 *
 * It answers only what Nest has answered before: an entry exists only for a (name, hour) that passed
 * the DTO validation, and this parses the URL the same way (decodeURIComponent, parseHour), so an
 * invalid request can never match an entry; every miss, and any URL with a query string, goes on to
 * the controllers. Entries are the same ones the stats messages drop, so freshness is unchanged.
 *
 * Running ahead of Nest, it also runs ahead of the rate-limit guard, so it counts the requests it answers
 * against the same budget (`admit`). And ahead of the read-token guard: with `readToken` set, a request
 * without the right token is never answered here but passed on, so the guard answers it (401/403).
 */
export function cachedAnswers(
  stats: StatsService,
  readToken?: string,
  /** The client's rate limit (RestRateLimit.admit): false when it has answered 429 itself. */
  admit?: (req: Request, res: Response) => Promise<boolean>,
) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET') return next();
    if (checkBearer(req.headers.authorization, readToken) !== 'ok') return next();
    const match = ROUTE.exec(req.url);
    if (!match) return next();
    let name: string;
    let rawHour: string;
    try {
      name = decodeURIComponent(match[1]);
      rawHour = decodeURIComponent(match[2]);
    } catch {
      return next(); // a malformed escape: Nest answers it (with its 400)
    }
    const hour = parseHour(rawHour);
    if (!hour.ok) return next();
    const answer = stats.cachedAnswer(match[3] as 'average' | 'stats', name, hour.hour);
    if (answer === undefined) return next();
    const write = () => {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(answer));
    };
    if (!admit) return write();
    admit(req, res).then(
      (ok) => ok && write(),
      (err: unknown) => next(err),
    );
  };
}
