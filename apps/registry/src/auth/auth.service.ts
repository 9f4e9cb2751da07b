/**
 * Authentication and authorisation. `Authorization: Bearer <token>`; the bootstrap admin token comes from
 * HSM_ADMIN_TOKEN and is compared in constant time; every other token is looked up by its sha256.
 * A header that is present but wrong is always a 401, even on endpoints that allow anonymous reads.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCodes, HsmError } from '@hsm/core';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';
import { TokenRepository } from '../tokens/token.repository.js';
import { hashToken, sameSecret } from './token-secret.js';
import { hasScope, type Principal, type Scope } from './principal.js';

const BOOTSTRAP_ADMIN: Principal = { tokenId: null, team: null, scopes: ['admin'] };

@Injectable()
export class AuthService {
  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly tokens: TokenRepository,
  ) {}

  /** The caller, or null when no token was sent. */
  async authenticate(req: Request): Promise<Principal | null> {
    const all = req.headersDistinct?.authorization;
    // Node keeps only the first of two Authorization headers: refuse instead of guessing which one was meant
    if (all && all.length > 1) throw new HsmError(ErrorCodes.REQUEST_INVALID, 'send one Authorization header, not several');
    const header = req.headers.authorization;
    if (header === undefined) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthenticated('Authorization header must be `Bearer <token>`');
    const secret = m[1];
    if (this.config.adminToken && sameSecret(secret, this.config.adminToken)) return BOOTSTRAP_ADMIN;
    const t = await this.tokens.findByHash(hashToken(secret));
    if (!t) throw unauthenticated('unknown token');
    if (t.revokedAt) throw unauthenticated('token was revoked');
    if (t.expiresAt && t.expiresAt.getTime() <= Date.now()) throw unauthenticated('token has expired');
    return { tokenId: t.id, team: t.team, scopes: t.scopes };
  }

  /** Read endpoints: anonymous when HSM_REGISTRY_READ=public, otherwise a token with `read`. */
  async forRead(req: Request): Promise<Principal | null> {
    const p = await this.authenticate(req);
    if (p === null) {
      if (this.config.readAccess === 'public') return null;
      throw unauthenticated('this registry requires a token to read');
    }
    if (!hasScope(p, 'read')) throw forbidden('token lacks the `read` scope');
    return p;
  }

  async require(req: Request, scope: Scope): Promise<Principal> {
    const p = await this.authenticate(req);
    if (p === null) throw unauthenticated(`a token with the \`${scope}\` scope is required`);
    if (!hasScope(p, scope)) throw forbidden(`token lacks the \`${scope}\` scope`);
    return p;
  }
}

export function unauthenticated(message: string): HsmError {
  return new HsmError(ErrorCodes.UNAUTHENTICATED, message, { hint: 'send `Authorization: Bearer <token>` (hsm login)' });
}

export function forbidden(message: string): HsmError {
  return new HsmError(ErrorCodes.FORBIDDEN, message);
}
