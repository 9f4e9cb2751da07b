/**
 * A registry response checked against its shared schema (responses.ts): the parsed value, or the first field
 * that is wrong, named the way a reader finds it in the JSON (`components[2].digest`). Pure; the client
 * (libs/host remote/registry-client.ts) turns a wrong field into its coded error.
 */
import type * as z from 'zod';

export type ResponseCheck<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: Issue[][];
}

export function checkResponse<S extends z.ZodType>(schema: S, body: unknown): ResponseCheck<z.output<S>> {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = furthest(r.error.issues as unknown as Issue[], []);
  return { ok: false, field: fieldName(issue.path), message: issue.message };
}

/**
 * The issue to report, with its full path: for a union (one entry of POST /v1/resolve is a resolved or an
 * unresolved entry), the branch that got furthest into the value says what is wrong, not "Invalid input".
 */
function furthest(issues: Issue[], prefix: PropertyKey[]): Issue {
  const first = issues[0];
  const path = [...prefix, ...first.path];
  if (first.code !== 'invalid_union' || !first.errors?.length) return { ...first, path };
  const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
  const best = first.errors.filter((b) => b.length > 0).reduce((a, b) => (depth(b) > depth(a) ? b : a));
  return furthest(best, path);
}

function fieldName(path: PropertyKey[]): string {
  if (path.length === 0) return '(the whole body)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}
