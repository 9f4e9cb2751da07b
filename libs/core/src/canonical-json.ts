/** Canonical JSON (sorted keys, no whitespace) and the sha256 digest of a definition (SPEC §4). */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function digestOf(definition: unknown): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** Pretty, stable JSON for files users read (hsm.lock): sorted keys, 2-space indent, trailing newline. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}
