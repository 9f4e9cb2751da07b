/**
 * Who may see the pages. With HSM_REGISTRY_READ=public everyone may; with `token` a visitor signs in once with a
 * read token, which the browser keeps in a cookie marked HttpOnly (no script can read it) and SameSite=Strict
 * (no other site can send it), never in a URL. The cookie is checked exactly like an `Authorization` header,
 * by AuthService, on every page; it is not accepted by the JSON API.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { isHsmError } from '@hsm/core';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';
import { AuthService } from '../auth/auth.service.js';

export const TOKEN_COOKIE = 'hsm_registry_token';

export type Access = { allowed: true; signedIn: boolean } | { allowed: false; problem: string | null };

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A same-site path to return to after signing in; anything else (`//evil`, `https://…`) is the home page. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

@Injectable()
export class WebSession {
  readonly tokenRequired: boolean;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly auth: AuthService,
  ) {
    this.tokenRequired = config.readAccess === 'token';
  }

  async access(req: Request): Promise<Access> {
    if (!this.tokenRequired) return { allowed: true, signedIn: false };
    const token = readCookie(req, TOKEN_COOKIE);
    if (token === undefined) return { allowed: false, problem: null };
    const problem = await this.verify(token);
    return problem === null ? { allowed: true, signedIn: true } : { allowed: false, problem };
  }

  /** Null when `token` may read; else why not, in words for the login form. */
  async verify(token: string): Promise<string | null> {
    try {
      // the same check as a JSON read sending `Authorization: Bearer <token>`
      await this.auth.forRead({ headers: { authorization: `Bearer ${token}` } } as Request);
      return null;
    } catch (e) {
      if (isHsmError(e)) return `That token was refused: ${e.message}.`;
      throw e;
    }
  }

  cookie(req: Request, token: string): string {
    return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`;
  }

  clearedCookie(req: Request): string {
    return `${TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${req.secure ? '; Secure' : ''}`;
  }
}
