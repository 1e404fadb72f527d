/**
 * A request the service cannot answer as asked, with the field at fault. Thrown by services and
 * repositories, translated to an HTTP or WebSocket answer once, at the edge.
 */
export class QueryError extends Error {
  constructor(
    readonly code: 'bad_request' | 'unavailable',
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}
