/** Token rules: admins create and list all; a token lists its own team's tokens and may revoke itself. */
import { Injectable } from '@nestjs/common';
import { ErrorCodes, HsmError } from '@hsm/core';
import * as RegistryApi from '@hsm/core/registry-api';
import { hasScope, type Principal } from '../auth/principal.js';
import { forbidden } from '../auth/auth.service.js';
import { displayPrefix, hashToken, newTokenSecret } from '../auth/token-secret.js';
import { TokenRepository, type TokenRecord } from './token.repository.js';

export type TokenView = RegistryApi.Token;

@Injectable()
export class TokenService {
  constructor(private readonly tokens: TokenRepository) {}

  async create(caller: Principal, input: RegistryApi.CreateTokenRequest): Promise<RegistryApi.CreatedToken> {
    if (!hasScope(caller, 'admin')) throw forbidden('creating tokens needs the `admin` scope');
    const scopes = [...new Set(input.scopes)];
    const expiresAt = input.expires_at === undefined ? null : new Date(input.expires_at);
    const secret = newTokenSecret();
    const rec = await this.tokens.create({
      name: input.name,
      prefix: displayPrefix(secret),
      hash: hashToken(secret),
      scopes,
      teamName: input.team ?? null,
      expiresAt,
    });
    return { ...view(rec), token: secret };
  }

  async list(caller: Principal): Promise<TokenView[]> {
    if (hasScope(caller, 'admin')) return (await this.tokens.list()).map(view);
    if (!caller.team) return [];
    return (await this.tokens.list(caller.team.id)).map(view);
  }

  async revoke(caller: Principal, id: string): Promise<TokenView> {
    const t = await this.tokens.findById(id);
    if (!t) throw new HsmError(ErrorCodes.NOT_FOUND, `no token ${id}`);
    if (!hasScope(caller, 'admin') && caller.tokenId !== id) throw forbidden('only an admin may revoke another token');
    if (t.revokedAt) return view(t);
    return view(await this.tokens.revoke(id));
  }
}

function view(t: TokenRecord): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    team: t.team?.name ?? null,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}
