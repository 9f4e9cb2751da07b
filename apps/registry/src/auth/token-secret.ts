/**
 * Token secrets: `hsm_` + 43 base64url characters (256 random bits). The `hsm_` prefix makes a leaked token
 * recognisable to secret scanners and to the log redactor. Only the sha256 of a secret is stored (a slow hash buys
 * nothing for 256-bit random secrets), plus its first 12 characters so a listed token can be recognised.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'hsm_';

export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, 12);
}

export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
