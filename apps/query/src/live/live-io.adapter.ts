import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { securityHeaderMap } from '@reeltime/observability';
import type { IncomingMessage } from 'node:http';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import { liveAccess } from './live-access';

/**
 * Whether a browser page of `origin` may use this service (REST CORS and the socket.io handshake alike):
 * `*` allows every origin; a request without an Origin header (not a browser) is allowed, and so is
 * the service's own origin (the dashboard it serves), whatever the list says.
 */
export function originAllowed(origin: string | undefined, allowed: string[], host?: string): boolean {
  if (origin === undefined || allowed.includes('*') || allowed.includes(origin)) return true;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

/**
 * socket.io with the allowed origins from the settings (QUERY_ALLOWED_ORIGINS). CORS covers the
 * polling transport only, so the handshake itself is checked too: a WebSocket upgrade sends an Origin
 * but is not subject to CORS. engine.io writes its answers on the HTTP server, past Express, so the
 * security headers are added to them here; the browser client is served by the dashboard (serveClient off).
 * The read token is checked on every namespace's handshake, the root one included, not only on /live.
 */
export class LiveIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly allowedOrigins: string[],
    private readonly readToken: string | undefined,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    const allowed = this.allowedOrigins;
    const server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      cors: { origin: allowed.includes('*') ? true : allowed },
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, ok: boolean) => void) =>
        callback(null, originAllowed(req.headers.origin, allowed, req.headers.host)),
    }) as Server;
    const headers = securityHeaderMap();
    server.engine.on('headers', (out: Record<string, string>) => Object.assign(out, headers));
    const access = liveAccess(this.readToken);
    server.use(access);
    server.on('new_namespace', (namespace: Namespace) => namespace.use(access));
    return server;
  }
}
