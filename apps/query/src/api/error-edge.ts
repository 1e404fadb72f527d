import { ArgumentsHost, Catch, ExceptionFilter, Logger, WsExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'socket.io';
import { RepeatLimiter } from '@reeltime/runtime';
import { QueryError } from './query-error';

/**
 * The edge: where a QueryError (or anything thrown, through QueryError.from) becomes an answer. HTTP
 * gets `{statusCode, error, message}`; a socket.io event gets `{ok:false, error, retryAfter?}` in its
 * ack; the /live handshake gets a connect_error with `data.status`.
 */

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export type ErrorAck = { ok: false; error: string; retryAfter?: number };

/** What a socket client hears when the failure is on the server's side (Cassandra, a bug). */
export const LIVE_UNAVAILABLE = 'stats are unavailable right now, retry shortly';

export function toErrorBody(err: QueryError): ErrorBody {
  return { statusCode: err.status, error: STATUS_CODES[err.status] ?? 'Error', message: err.message };
}

export function toAck(err: QueryError): ErrorAck {
  if (err.status >= 500) return { ok: false, error: LIVE_UNAVAILABLE };
  const retryAfter = err.details.retryAfterSeconds;
  return retryAfter === undefined ? { ok: false, error: err.message } : { ok: false, error: err.message, retryAfter };
}

/** socket.io sends a middleware error's `message` and `data` to the client as connect_error. */
export function toHandshakeError(err: QueryError): Error & { data: { status: number } } {
  return Object.assign(new Error(err.message), { data: { status: err.status } });
}

/** Every REST error answer. Registered as APP_FILTER, so tests booting the module get it. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');
  /** One warning per reason every 10 s: an overloaded Cassandra times out hundreds of reads a second. */
  private readonly unavailable = new RepeatLimiter(10_000);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      // The gateway answers its own errors in the ack; anything reaching here is a bug worth a log line.
      this.logger.error({ msg: 'unhandled error outside HTTP', err: String(exception) });
      return;
    }
    const body = toErrorBody(QueryError.from(exception));
    if (body.statusCode === 503) {
      // A dependency that is down or slow, answered "retry shortly": the operator needs to know it is
      // happening and how often, not a stack per request (the soak's overloaded Cassandra logged 400).
      const reason = exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
      const held = this.unavailable.admit(reason);
      if (held !== undefined) this.logger.warn({ msg: 'request answered 503', reason, heldBack: held });
    } else if (body.statusCode >= 500) {
      this.logger.error({
        msg: 'request failed',
        err: exception instanceof Error ? exception.stack : String(exception),
      });
    }
    host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
  }
}

/**
 * A socket event's error (a guard's refusal, a handler's failure), answered in its ack. A client that
 * asked for no ack hears only of an event refused unhandled (over its rate limit), as an `exception` event.
 */
@Catch()
export class LiveErrorFilter implements WsExceptionFilter {
  private readonly logger = new Logger('live');

  catch(exception: unknown, host: ArgumentsHost): void {
    const err = QueryError.from(exception);
    if (err.status >= 500) this.logger.warn({ msg: 'live event failed', err: String(exception) });
    // socket.io handler arguments: the socket, the payload, then the ack when the client asked for one.
    const ack: unknown = host.getArgByIndex(2);
    const answer = toAck(err);
    if (typeof ack === 'function') (ack as (a: unknown) => void)(answer);
    else if (err.code === 'rate_limited') host.switchToWs().getClient<Socket>().emit('exception', answer);
  }
}
