/**
 * Reads a JSON request body with a hard size limit, as Express middleware so that an oversized body is refused
 * (413) before it is buffered, and a malformed one (400) or one in another media type (415) before any handler
 * runs. Replaces Nest's body parser, whose errors would bypass the service's error format. The body is parsed
 * strictly (strict-json.ts): nothing in it is silently altered.
 */
import type { NextFunction, Request, Response } from 'express';
import { ErrorCodes, isHsmError } from '@hsm/core';
import { errorBody } from './http-error.js';
import { parseStrictJson } from './strict-json.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** Why a Content-Type is refused, or undefined when it is JSON in UTF-8. */
export function mediaTypeProblem(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return 'a body needs `Content-Type: application/json`';
  const [type, ...params] = header.split(';').map((p) => p.trim());
  if (!JSON_TYPE.test(type)) return `Content-Type must be application/json, got ${header.slice(0, 100)}`;
  for (const p of params) {
    const [k, v = ''] = p.split('=').map((x) => x.trim());
    if (k.toLowerCase() === 'charset' && v.replace(/^"|"$/g, '').toLowerCase() !== 'utf-8') return `the body must be UTF-8, got charset=${v.slice(0, 40)}`;
  }
  return undefined;
}

/** Set by the hot path on a request whose body it has already read (hot-path.ts): the bytes, to parse here. */
export const PREREAD = Symbol('hsm.preread');
export type PreRead = { [PREREAD]?: Buffer };

export function jsonBody(limit: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE' || req.method === 'OPTIONS') return next();
    if (req.body !== undefined) return next(); // already read (the web catalog's sign-in form)
    const finish = (bytes: Buffer): void => {
      if (bytes.length === 0 || (bytes.length < 64 && bytes.toString('latin1').trim() === '')) {
        req.body = undefined;
        return next();
      }
      const problem = mediaTypeProblem(req.headers['content-type']);
      if (problem) {
        res.status(415).json(errorBody(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, problem));
        return;
      }
      try {
        req.body = parseStrictJson(bytes);
      } catch (e) {
        if (!isHsmError(e)) return next(e);
        res.status(400).json(errorBody(e.code, e.message));
        return;
      }
      next();
    };
    const preread = (req as PreRead)[PREREAD];
    if (preread !== undefined) return finish(preread);
    const tooLarge = (): void => {
      res
        .status(413)
        .setHeader('Connection', 'close')
        .json(errorBody(ErrorCodes.BODY_TOO_LARGE, `request body exceeds ${limit} bytes`));
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      req.resume();
      return tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        return tooLarge();
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        next(e);
      }
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      finish(Buffer.concat(chunks));
    });
  };
}
