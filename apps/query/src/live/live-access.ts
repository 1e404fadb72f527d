import { checkBearer } from '@reeltime/observability';
import type { Socket } from 'socket.io';
import { toHandshakeError } from '../api/error-edge';
import { QueryError } from '../api/query-error';

/**
 * The /live namespace's handshake check: with QUERY_READ_TOKEN set, a client must send it as
 * `io(url, { auth: { token } })` or as an `Authorization: Bearer` header (non-browser clients), or it
 * gets connect_error `unauthorized` (`data.status` 401) or `forbidden` (403).
 */
export function liveAccess(readToken: string | undefined) {
  return (socket: Pick<Socket, 'handshake'>, next: (err?: Error) => void): void => {
    const { auth, headers } = socket.handshake;
    const fromAuth = typeof auth?.token === 'string' ? `Bearer ${auth.token}` : undefined;
    switch (checkBearer(fromAuth ?? headers.authorization, readToken)) {
      case 'ok':
        return next();
      case 'missing':
        return next(
          toHandshakeError(new QueryError('unauthorized', 'unauthorized: send the read token as auth.token')),
        );
      case 'wrong':
        return next(toHandshakeError(new QueryError('forbidden', 'forbidden: wrong read token')));
    }
  };
}
