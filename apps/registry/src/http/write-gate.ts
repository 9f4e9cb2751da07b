/** Applies the write rate limit to a request, keyed by its token (or address when anonymous). */
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';
import type { Principal } from '../auth/principal.js';
import { WriteRateLimiter } from './rate-limit.js';

@Injectable()
export class WriteGate {
  private readonly limiter: WriteRateLimiter;

  constructor(@Inject(REGISTRY_CONFIG) config: RegistryConfig) {
    this.limiter = new WriteRateLimiter(config.writesPerMinute);
  }

  take(req: Request, caller: Principal | null): void {
    const key = caller ? `token:${caller.tokenId ?? 'bootstrap-admin'}` : `ip:${req.ip ?? req.socket.remoteAddress ?? '?'}`;
    this.limiter.take(key);
  }
}
