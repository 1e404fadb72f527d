import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { isCassandraUnavailable } from '@reeltime/cassandra';
import type { Response } from 'express';
import { QueryError } from './query-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Turns any error into the API's error shape. Registered as APP_FILTER, so tests booting the module get it. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof QueryError) {
    const statusCode = exception.code === 'bad_request' ? HttpStatus.BAD_REQUEST : HttpStatus.SERVICE_UNAVAILABLE;
    return { statusCode, error: REASON[statusCode], message: exception.message };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return { statusCode, error: REASON[statusCode] ?? exception.name, message };
  }
  // Cassandra down, hung or restarting: the request may well succeed when retried.
  if (isCassandraUnavailable(exception)) {
    return { statusCode: 503, error: REASON[503], message: 'Cassandra is unavailable, retry shortly' };
  }
  return { statusCode: 500, error: REASON[500], message: 'internal error' };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      // The gateway answers its own errors in the ack; anything reaching here is a bug worth a log line.
      this.logger.error({ msg: 'unhandled error outside HTTP', err: String(exception) });
      return;
    }
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error({
        msg: 'request failed',
        err: exception instanceof Error ? exception.stack : String(exception),
      });
    }
    host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
  }
}
