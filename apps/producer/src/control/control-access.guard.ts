import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { checkBearer, isLoopback } from '@reeltime/observability';
import type { Request, Response } from 'express';

const LOOPBACK_NAMES = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

/** The host part of a Host header or of an Origin URL, lower-cased; undefined when it cannot be read. */
function hostnameOf(value: string | undefined, isOrigin: boolean): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Whether a request without a token may use the control API: it must come from this machine, and not
 * from a web page. A page on any site can make the browser send a request to 127.0.0.1 (a form POST
 * needs no CORS), so a browser's request passes only when its Origin is a loopback name too; and the
 * Host must be a loopback name, or a DNS name rebound to 127.0.0.1 would pass for the page's own origin.
 */
export function loopbackRequestAllowed(
  req: Pick<Request, 'headers'> & { socket: { remoteAddress?: string } },
): boolean {
  if (!isLoopback(req.socket.remoteAddress)) return false;
  const host = hostnameOf(req.headers.host, false);
  if (host === undefined || !LOOPBACK_NAMES.test(host)) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const originHost = hostnameOf(origin, true);
  return originHost !== undefined && LOOPBACK_NAMES.test(originHost);
}

/**
 * Who may drive the producer. With PRODUCER_CONTROL_TOKEN set: whoever sends it as a bearer token
 * (401 without one, 403 with a wrong one). A browser never adds that header by itself, so a page on
 * another site cannot forge a request (no CSRF), and a cross-site fetch that sets it needs a CORS
 * preflight the producer never grants. Without a token: requests from this machine only (403 otherwise).
 */
@Injectable()
export class ControlAccessGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const token = this.config.producer.controlToken;
    if (token === undefined) {
      if (loopbackRequestAllowed(req)) return true;
      throw new ForbiddenException(
        'the control API answers only local requests while PRODUCER_CONTROL_TOKEN is unset; set it and send Authorization: Bearer <token>',
      );
    }
    switch (checkBearer(req.headers.authorization, token)) {
      case 'ok':
        return true;
      case 'missing':
        http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="producer control"');
        throw new UnauthorizedException('the control API needs Authorization: Bearer <PRODUCER_CONTROL_TOKEN>');
      case 'wrong':
        throw new ForbiddenException('wrong control token');
    }
  }
}
