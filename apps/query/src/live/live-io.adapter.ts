import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'socket.io';

/** `*` allows every origin; a request without an Origin header (not a browser) is allowed too. */
export function originAllowed(origin: string | undefined, allowed: string[]): boolean {
  return origin === undefined || allowed.includes('*') || allowed.includes(origin);
}

/**
 * socket.io with the allowed origins from the settings (QUERY_ALLOWED_ORIGINS). CORS covers the
 * polling transport only, so the handshake itself is checked too: a WebSocket upgrade sends an Origin
 * but is not subject to CORS.
 */
export class LiveIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly allowedOrigins: string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    const allowed = this.allowedOrigins;
    return super.createIOServer(port, {
      ...options,
      cors: { origin: allowed.includes('*') ? true : allowed },
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, ok: boolean) => void) =>
        callback(null, originAllowed(req.headers.origin, allowed)),
    });
  }
}
