import { checkBearer } from '@reeltime/observability';
import type { Socket } from 'socket.io';

export class LiveAccessError extends Error {
  constructor(
    message: string,
    readonly data: { status: 401 | 403 },
  ) {
    super(message);
  }
}

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
        return next(new LiveAccessError('unauthorized: send the read token as auth.token', { status: 401 }));
      case 'wrong':
        return next(new LiveAccessError('forbidden: wrong read token', { status: 403 }));
    }
  };
}
