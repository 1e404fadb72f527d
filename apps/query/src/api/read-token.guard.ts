import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { checkBearer } from '@reeltime/observability';
import type { Request, Response } from 'express';
import { QueryError } from './query-error';

export const READ_TOKEN_MISSING = 'this API needs Authorization: Bearer <QUERY_READ_TOKEN>';

/**
 * REST reads need QUERY_READ_TOKEN as a bearer token when it is set (401 without one, 403 with a
 * wrong one); without it they are open.
 */
@Injectable()
export class ReadTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    switch (checkBearer(http.getRequest<Request>().headers.authorization, this.config.query.readToken)) {
      case 'ok':
        return true;
      case 'missing':
        http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="reeltime"');
        throw new QueryError('unauthorized', READ_TOKEN_MISSING, { field: 'authorization' });
      case 'wrong':
        throw new QueryError('forbidden', 'wrong read token', { field: 'authorization' });
    }
  }
}
