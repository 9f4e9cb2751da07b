/**
 * The login and logout forms post `application/x-www-form-urlencoded` (what a browser sends without script).
 * The service's body reader accepts only JSON, so these two paths are read here first, with a small limit;
 * the JSON reader skips a body that is already read. Every other request passes straight through.
 */
import type { NextFunction, Request, Response } from 'express';

const FORM_PATHS = new Set(['/login', '/logout']);
const LIMIT = 8 * 1024;

export function webFormBody() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || !FORM_PATHS.has(req.path) || !/^application\/x-www-form-urlencoded\b/i.test(String(req.headers['content-type'] ?? ''))) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMIT && !refused) {
        refused = true;
        res.status(413).setHeader('Connection', 'close').type('text/plain').send('form too large');
        req.resume();
      } else if (!refused) chunks.push(chunk);
    });
    req.on('error', (e) => {
      if (!refused) next(e);
    });
    req.on('end', () => {
      if (refused) return;
      req.body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      next();
    });
  };
}

/** A form post from another site (login CSRF): browsers say so in Sec-Fetch-Site, older ones in Origin. */
export function crossSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}
