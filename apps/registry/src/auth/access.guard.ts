/**
 * Authentication, authorisation and the write rate limit as one Nest guard (issue 8 item 6): a handler declares
 * what it needs — `@ReadAccess()`, `@RequireScope('publish')`, `@RateLimited()` — and receives the caller with
 * `@Caller()`. The guard runs before the handler and before any body is validated, in this order: token → scope
 * → rate limit (so refused requests never use up the caller's write budget).
 */
import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { WriteGate } from '../http/write-gate.js';
import { AuthService } from './auth.service.js';
import type { Principal, Scope } from './principal.js';

const ACCESS = 'hsm:access';
const RATE_LIMITED = 'hsm:rate-limited';

type Access = { kind: 'read' } | { kind: 'scope'; scope: Scope };

/** Read endpoints: anonymous when HSM_REGISTRY_READ=public, otherwise a token with `read`. */
export const ReadAccess = () => SetMetadata(ACCESS, { kind: 'read' } satisfies Access);

/** A token with `scope` (or one that implies it) is required. */
export const RequireScope = (scope: Scope) => SetMetadata(ACCESS, { kind: 'scope', scope } satisfies Access);

/** Counts against the caller's write budget (HSM_REGISTRY_WRITES_PER_MINUTE). */
export const RateLimited = () => SetMetadata(RATE_LIMITED, true);

interface AuthedRequest extends Request {
  principal?: Principal | null;
}

/** The authenticated caller (`null`: anonymous, on a read endpoint of a public registry). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthedRequest>().principal ?? null);

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly gate: WriteGate,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, targets);
    // a handler that declares nothing is a programming error: refuse rather than serve it unauthenticated
    if (!access) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} declares no access rule`);
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.principal = access.kind === 'read' ? await this.auth.forRead(req) : await this.auth.require(req, access.scope);
    if (this.reflector.getAllAndOverride<boolean | undefined>(RATE_LIMITED, targets)) this.gate.take(req, req.principal);
    return true;
  }
}
