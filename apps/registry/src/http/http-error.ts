/**
 * Every error leaves the service as `{ "error": { "code", "message" } }` with the status its code implies.
 * Unknown errors become a 500 with a generic message (the details go to the log, never to the client).
 */
import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCodes, HsmError, isHsmError } from '@hsm/core';
import type * as RegistryApi from '@hsm/core/registry-api';
import { logPath, type JsonLogger } from '../logger.js';
import { isDatabaseUnavailable } from '../database/database-errors.js';

/** Seconds a client should wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

const STATUS: Record<string, number> = {
  [ErrorCodes.REQUEST_INVALID]: 400,
  [ErrorCodes.DEFINITION_INVALID]: 400,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.COMPONENT_NOT_FOUND]: 404,
  [ErrorCodes.VERSION_NOT_FOUND]: 404,
  [ErrorCodes.VERSION_EXISTS]: 409,
  [ErrorCodes.NAME_TAKEN]: 409,
  [ErrorCodes.BODY_TOO_LARGE]: 413,
  [ErrorCodes.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCodes.METHOD_NOT_ALLOWED]: 405,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.DATABASE_UNAVAILABLE]: 503,
};

export function statusFor(code: string): number {
  return STATUS[code] ?? 500;
}

export function errorBody(code: string, message: string): RegistryApi.ErrorBody {
  return { error: { code, message } };
}

/** Turns anything thrown into a coded error; only HsmError messages reach the client verbatim. */
export function toHsmError(e: unknown): HsmError {
  if (isHsmError(e)) return e;
  if (e instanceof HttpException) {
    const status = e.getStatus();
    if (status === 404) return new HsmError(ErrorCodes.NOT_FOUND, 'no such endpoint');
    if (status === 413) return new HsmError(ErrorCodes.BODY_TOO_LARGE, 'request body is too large');
    if (status < 500) return new HsmError(ErrorCodes.REQUEST_INVALID, e.message);
  }
  if (isDatabaseUnavailable(e)) {
    return new HsmError(ErrorCodes.DATABASE_UNAVAILABLE, 'the database is not reachable; retry shortly', { cause: e, details: [String(DATABASE_RETRY_AFTER_SECONDS)] });
  }
  return new HsmError(ErrorCodes.INTERNAL, 'internal error', { cause: e });
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const err = toHsmError(exception);
    const status = statusFor(err.code);
    if (status >= 500) {
      const cause = err.cause ?? exception;
      // an outage is expected and repeats on every request: one line, no stack trace
      const outage = err.code === ErrorCodes.DATABASE_UNAVAILABLE;
      this.logger.event(outage ? 'warn' : 'error', 'request failed', {
        method: req.method,
        path: logPath(req.path),
        code: err.code,
        error: (cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)).slice(0, 500),
        stack: !outage && cause instanceof Error ? cause.stack : undefined,
      });
    }
    if (res.headersSent) return;
    if ((err.code === ErrorCodes.RATE_LIMITED || err.code === ErrorCodes.DATABASE_UNAVAILABLE) && err.details[0]) res.setHeader('Retry-After', err.details[0]);
    res.status(status).json(errorBody(err.code, err.message));
  }
}
