/** Validates request bodies and query strings with zod; the first problem becomes a 400 naming the field. */
import type { z } from 'zod';
import { ErrorCodes, HsmError } from '@hsm/core';

export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  if (i.path.length === 0 && typeof value !== 'object') throw new HsmError(ErrorCodes.REQUEST_INVALID, `${what}: ${i.message}`);
  const field = i.path.length ? i.path.map(String).join('.') : '(top level)';
  throw new HsmError(ErrorCodes.REQUEST_INVALID, `${what}: \`${field}\`: ${i.message}`);
}
