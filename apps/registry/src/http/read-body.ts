/**
 * Reads a JSON request body with a hard size limit, as Express middleware so that an oversized body is refused
 * (413) before it is buffered, and a malformed one (400) before any handler runs. Replaces Nest's body parser,
 * whose errors would bypass the service's error format.
 */
import type { NextFunction, Request, Response } from 'express';
import { ErrorCodes } from '@hsm/core';
import { errorBody } from './http-error.js';

export function jsonBody(limit: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE' || req.method === 'OPTIONS') return next();
    if (req.body !== undefined) return next(); // already read (the web catalog's sign-in form)
    const tooLarge = (): void => {
      res.status(413).setHeader('Connection', 'close').json(errorBody(ErrorCodes.BODY_TOO_LARGE, `request body exceeds ${limit} bytes`));
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
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        req.body = undefined;
        return next();
      }
      const type = String(req.headers['content-type'] ?? 'application/json');
      if (!/^application\/(.+\+)?json\b/i.test(type)) {
        res.status(400).json(errorBody(ErrorCodes.REQUEST_INVALID, `Content-Type must be application/json, got ${type}`));
        return;
      }
      try {
        req.body = JSON.parse(text);
      } catch (e) {
        res.status(400).json(errorBody(ErrorCodes.REQUEST_INVALID, `body is not valid JSON: ${(e as Error).message}`));
        return;
      }
      next();
    });
  };
}
