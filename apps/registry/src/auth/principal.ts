/** Who is calling, after the token was checked. Plain data: no Prisma types leave the repositories. */
import * as RegistryApi from '@hsm/core/registry-api';

export type Scope = RegistryApi.Scope;

export interface Team {
  id: string;
  name: string;
}

export interface Principal {
  /** Null for the bootstrap admin token (HSM_ADMIN_TOKEN), which is not stored. */
  tokenId: string | null;
  team: Team | null;
  scopes: Scope[];
}

/** `admin` implies `publish` implies `read`. */
export function hasScope(p: Principal, scope: Scope): boolean {
  if (p.scopes.includes('admin')) return true;
  if (scope === 'read') return p.scopes.includes('read') || p.scopes.includes('publish');
  return p.scopes.includes(scope);
}
