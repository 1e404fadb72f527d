import { HttpException } from '@nestjs/common';
import { isCassandraUnavailable } from '@reeltime/cassandra';

/** The kinds of failure the query service answers with, each with the HTTP status it is given at the edge. */
export const QUERY_ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type QueryErrorCode = keyof typeof QUERY_ERROR_STATUS;

export interface QueryErrorDetails {
  /** The request field at fault (`name`, `pageState`, …). */
  field?: string;
  /** For `rate_limited`: seconds until the client may retry. */
  retryAfterSeconds?: number;
  /** The HTTP status, when a framework answer with a status of its own is passed through. */
  status?: number;
}

/**
 * The one error type of the query service: what went wrong, with a stable code and the field at fault.
 * Services, repositories and guards throw it; it is translated to an HTTP answer or a WebSocket ack
 * once, at the edge (api/error-edge.ts).
 */
export class QueryError extends Error {
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    readonly details: QueryErrorDetails = {},
  ) {
    super(message);
    this.name = 'QueryError';
  }

  get status(): number {
    return this.details.status ?? QUERY_ERROR_STATUS[this.code];
  }

  /** Whatever was thrown, as a QueryError: the only place that looks at foreign errors. */
  static from(err: unknown): QueryError {
    if (err instanceof QueryError) return err;
    if (err instanceof HttpException) return fromHttpException(err);
    // Cassandra down, hung or restarting: the request may well succeed when retried.
    if (isCassandraUnavailable(err)) return new QueryError('unavailable', 'Cassandra is unavailable, retry shortly');
    return new QueryError('internal', 'internal error');
  }
}

const CODE_OF_STATUS = new Map<number, QueryErrorCode>(
  Object.entries(QUERY_ERROR_STATUS).map(([code, status]) => [status, code as QueryErrorCode]),
);

/** Nest's own answers (the validation pipe's 400, the router's 404, the throttler's 429), message kept. */
function fromHttpException(err: HttpException): QueryError {
  const status = err.getStatus();
  const response = err.getResponse();
  const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : err.message;
  const code = CODE_OF_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'bad_request');
  return new QueryError(code, message, { status });
}
