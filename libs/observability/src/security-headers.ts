import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * helmet's headers for every HTTP answer of every service, with two changes to its defaults: no
 * `upgrade-insecure-requests` (the services speak plain HTTP; behind a TLS proxy the browser is on
 * https already), and styles from this origin only plus inline ones (Swagger UI at /docs has inline
 * styles; the dashboard uses its own style.css and sets styles from script, which CSP allows).
 * helmet also removes X-Powered-By.
 */
export function securityHeaders(): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'upgrade-insecure-requests': null,
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
  });
}

/**
 * The same headers as a plain map, for answers that never reach Express: socket.io's own transport
 * (polling) responses, written by engine.io straight on the HTTP server.
 */
export function securityHeaderMap(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => void (headers[name] = String(value)),
    removeHeader: () => undefined,
  };
  securityHeaders()({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}
