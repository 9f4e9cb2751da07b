/**
 * Tells "the database is away" (retry later: 503) from everything else (a bug: 500). Connection-class failures
 * arrive in several wrappings — a Prisma error with a P1xxx code, a driver-adapter error whose cause has a
 * connection `kind` or a PostgreSQL SQLSTATE of class 08 / 57P0x, a bare `pg` error, a socket errno — so the
 * whole cause chain is searched.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError', 'DatabaseDoesNotExist', 'AuthenticationFailed', 'DatabaseAccessDenied']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const MESSAGES = [/Connection terminated/i, /connection error and is not queryable/i, /Can't reach database server/i, /timeout exceeded when trying to connect/i, /Client was closed and is not queryable/i];

/** SQLSTATE class 08 (connection exception), 57P01–57P03 (shut down / cannot connect now), 53300 (too many). */
function isConnectionSqlState(code: unknown): boolean {
  return typeof code === 'string' && (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300');
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length && seen.size < 20) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof o.code === 'string' && (PRISMA_CODES.has(o.code) || SOCKET_CODES.has(o.code) || isConnectionSqlState(o.code))) return true;
    if (typeof o.kind === 'string' && ADAPTER_KINDS.has(o.kind)) return true;
    if (isConnectionSqlState(o.originalCode)) return true;
    if (typeof o.message === 'string' && MESSAGES.some((m) => m.test(o.message as string))) return true;
    if (typeof o.message === 'string' && /Code: `(08[0-9A-Z]{3}|57P0[123]|53300)`/.test(o.message)) return true;
    queue.push(o.cause, o.meta?.driverAdapterError);
  }
  return false;
}
