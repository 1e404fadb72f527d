/** REST calls to this service, with the read token when the page was opened with one. */

/** A REST answer other than 2xx, with the service's message (`{statusCode, error, message}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** 503: the service could not reach Cassandra for an answer it did not have cached. */
  get unavailable(): boolean {
    return this.status === 503;
  }
}

/** What a failed call says in the page, where its data would have been. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.unavailable) return `Cassandra unavailable — ${err.message}`;
    if (err.status === 429) return 'Too many requests — trying again shortly';
    return `${err.status}: ${err.message}`;
  }
  return `Cannot reach the service (${err instanceof Error ? err.message : String(err)})`;
}

/**
 * With QUERY_READ_TOKEN set, open the dashboard as /#token=<token>: the fragment never reaches the
 * server or its logs; the token is kept for the tab (sessionStorage) and the address bar cleared.
 */
export function takeToken(): string | null {
  const match = /[#&]token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('reeltime.token', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('reeltime.token');
}

export interface ApiEvents {
  /** Every answer: whether it was a 503 (the banner follows the latest). */
  onAnswer(unavailable: boolean): void;
}

export class Api {
  constructor(
    private readonly token: string | null,
    private readonly events: ApiEvents,
  ) {}

  async get<T>(path: string, params: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const query = Object.entries(params)
      .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(query ? `${path}?${query}` : path, { headers });
    this.events.onAnswer(res.status === 503);
    if (!res.ok) {
      let message = res.statusText;
      try {
        const body = (await res.json()) as { message?: string | string[] };
        if (typeof body.message === 'string') message = body.message;
        else if (Array.isArray(body.message)) message = body.message.join('; ');
      } catch {
        // not JSON (a proxy's page): the status text says enough
      }
      throw new ApiError(res.status, message);
    }
    return (await res.json()) as T;
  }
}

export const seg = (text: string): string => encodeURIComponent(text);
