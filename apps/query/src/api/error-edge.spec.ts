import { ArgumentsHost, BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { errors } from 'cassandra-driver';
import { HttpErrorFilter, LIVE_UNAVAILABLE, toAck, toErrorBody, toHandshakeError } from './error-edge';
import { QueryError } from './query-error';

const bodyOf = (err: unknown) => toErrorBody(QueryError.from(err));

describe('the error edge', () => {
  it('answers a QueryError with the status of its code and its message', () => {
    const err = new QueryError('bad_request', 'pageState is not a valid page state', { field: 'pageState' });
    expect(bodyOf(err)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'pageState is not a valid page state',
    });
    expect(bodyOf(new QueryError('unauthorized', 'no token'))).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
    });
  });

  it("keeps Nest's own answers: status and message, a list of messages joined", () => {
    expect(bodyOf(new BadRequestException(['a is bad', 'b is bad']))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'a is bad; b is bad',
    });
    expect(bodyOf(new NotFoundException('Cannot GET /x'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /x',
    });
    expect(bodyOf(new ThrottlerException('slow down'))).toMatchObject({ statusCode: 429, message: 'slow down' });
  });

  it('answers Cassandra being away with a 503 to retry, and anything else with a bare 500', () => {
    expect(bodyOf(new errors.NoHostAvailableError({}))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Cassandra is unavailable, retry shortly',
    });
    expect(bodyOf(new TypeError('x is undefined'))).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error',
    });
  });

  it('acks a client error with its message (and retryAfter), a server failure with a retry hint', () => {
    expect(toAck(new QueryError('bad_request', 'name must not be blank'))).toEqual({
      ok: false,
      error: 'name must not be blank',
    });
    expect(toAck(new QueryError('rate_limited', 'rate limit', { retryAfterSeconds: 3 }))).toEqual({
      ok: false,
      error: 'rate limit',
      retryAfter: 3,
    });
    expect(toAck(QueryError.from(new errors.OperationTimedOutError('timed out')))).toEqual({
      ok: false,
      error: LIVE_UNAVAILABLE,
    });
  });

  it('refuses a handshake with the message and the status in data', () => {
    const err = toHandshakeError(new QueryError('forbidden', 'forbidden: wrong read token'));
    expect(err).toMatchObject({ message: 'forbidden: wrong read token', data: { status: 403 } });
  });

  describe("the HTTP filter's log", () => {
    const host = () => {
      const res = { status: jest.fn().mockReturnThis(), json: jest.fn() };
      return {
        res,
        host: { getType: () => 'http', switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost,
      };
    };

    it('warns of a 503 once per reason every 10 s, with how many it held back, and never at ERROR', () => {
      const filter = new HttpErrorFilter();
      const logger = (filter as unknown as { logger: Logger }).logger;
      const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      const timeout = new errors.OperationTimedOutError('The host 127.0.0.1:9042 did not reply before timeout 800 ms');
      for (let i = 0; i < 300; i++) {
        const { res, host: h } = host();
        filter.catch(timeout, h);
        expect(res.status).toHaveBeenCalledWith(503);
      }
      expect(error).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatchObject({ msg: 'request answered 503', heldBack: 0 });
    });

    it('logs a 500 at ERROR with its stack, every time', () => {
      const filter = new HttpErrorFilter();
      const logger = (filter as unknown as { logger: Logger }).logger;
      const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      filter.catch(new TypeError('x is undefined'), host().host);
      filter.catch(new TypeError('x is undefined'), host().host);
      expect(error).toHaveBeenCalledTimes(2);
      expect(String((error.mock.calls[0][0] as { err: string }).err)).toContain('TypeError: x is undefined');
    });
  });
});
