/**
 * 405 for a method a documented path does not have (`TRACE /healthz`, `DELETE /v1/components`), with `Allow`
 * naming the ones it has. The routes come from the OpenAPI document, so the two cannot disagree. Paths the
 * document does not know fall through (404 from the router, or other modules' pages).
 */
import type { NextFunction, Request, Response } from 'express';
import { ErrorCodes } from '@hsm/core';
import { errorBody } from './http-error.js';

interface Route {
  pattern: RegExp;
  allow: string[];
}

export function routesOf(paths: Record<string, Record<string, unknown>>): Route[] {
  return Object.entries(paths).map(([template, ops]) => {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    const source = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    return { pattern: new RegExp(`^${source}/?$`), allow: methods };
  });
}

export function methodNotAllowed(paths: Record<string, Record<string, unknown>>) {
  const routes = routesOf(paths);
  return (req: Request, res: Response, next: NextFunction): void => {
    const route = routes.find((r) => r.pattern.test(req.path));
    if (!route || route.allow.includes(req.method)) return next();
    res
      .status(405)
      .setHeader('Allow', route.allow.join(', '))
      .json(errorBody(ErrorCodes.METHOD_NOT_ALLOWED, `${req.method} is not allowed on ${req.path.slice(0, 200)}; allowed: ${route.allow.join(', ')}`));
  };
}
