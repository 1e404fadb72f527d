import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/**
 * A request Node's HTTP parser refuses (a header with control characters, a malformed request line)
 * never reaches Express; Node would answer a bare `400` with no body. Answering it in the API's error
 * shape keeps the OpenAPI document true for it: JSON `{statusCode, error, message}`.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [statusCode, error] = STATUS[err.code ?? ''] ?? [400, 'Bad Request'];
    const body = JSON.stringify({ statusCode, error, message: 'the request could not be parsed as HTTP' });
    socket.end(
      `HTTP/1.1 ${statusCode} ${error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
