/**
 * Requests Node's HTTP parser refuses before any handler runs (headers over 16 KB, raw non-ASCII bytes in the
 * path, a malformed request line) get the service's JSON error shape instead of Node's empty body.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCodes } from '@hsm/core';

const STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

export function installClientErrorHandler(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = STATUS[err.code ?? ''] ?? 400;
    const message = status === 431 ? 'request headers are too large' : status === 408 ? 'request timed out' : `malformed HTTP request (${err.code ?? 'parse error'})`;
    const body = JSON.stringify({ error: { code: ErrorCodes.REQUEST_INVALID, message } });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
