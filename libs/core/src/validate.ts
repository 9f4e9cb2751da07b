/**
 * parse → normalise → rules: turns a zod failure on a YAML document into one HsmError that names the file,
 * line and column, the field path, and a "did you mean" for unknown keys.
 */
import * as z from 'zod';
import { HsmError, type ErrorCode } from './errors.js';
import { didYouMean } from './did-you-mean.js';
import { locate, type YamlSource } from './yaml-source.js';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

/** The slice of zod's internal schema definition that knownKeysAt walks. */
type SchemaNode = {
  _zod?: {
    def?: { type: string; innerType?: SchemaNode; in?: SchemaNode; options?: SchemaNode[]; shape?: Record<string, SchemaNode>; valueType?: SchemaNode; element?: SchemaNode };
  };
};

/** Keys a strict object schema accepts at `path`, for "did you mean". Best effort: unwraps wrappers. */
export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, value?: unknown): string[] {
  let s: SchemaNode | undefined = schema as SchemaNode;
  let v: unknown = value;
  const unwrap = (node: SchemaNode | undefined, val: unknown): SchemaNode | undefined => {
    let x = node;
    for (let i = 0; i < 20 && x; i++) {
      const def = x._zod?.def;
      if (!def) return x;
      if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'readonly' || def.type === 'nonoptional') x = def.innerType;
      else if (def.type === 'pipe') x = def.in;
      else if (def.type === 'union') {
        const objs = (def.options ?? []).filter((o) => unwrap(o, val)?._zod?.def?.type === 'object');
        if (objs.length === 0) return x;
        // prefer the option whose keys overlap the value's keys most
        const keys = val && typeof val === 'object' ? Object.keys(val as object) : [];
        objs.sort((a, b) => score(unwrap(b, val), keys) - score(unwrap(a, val), keys));
        x = objs[0];
      } else return x;
    }
    return x;
  };
  const score = (o: SchemaNode | undefined, keys: string[]): number => keys.filter((k) => k in (o?._zod?.def?.shape ?? {})).length;
  for (const p of path) {
    s = unwrap(s, v);
    const def = s?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') s = def.shape?.[p as string];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array') s = def.element;
    else return [];
    v = valueAt(v, [p]);
  }
  const def = unwrap(s, v)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

export function issueToError(code: ErrorCode, src: YamlSource, schema: z.ZodType, issue: z.core.$ZodIssue, hint: string): HsmError {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const known = knownKeysAt(schema, issue.path, valueAt(src.value, issue.path));
    const field = formatPath([...issue.path, key]);
    return new HsmError(code, `unknown key \`${field}\`${didYouMean(key, known)}`, {
      location: locate(src, [...issue.path, key], true),
      hint: known.length ? `allowed here: ${known.join(', ')}` : hint,
    });
  }
  if (issue.code === 'invalid_key') {
    // record key failed (e.g. a component name with capitals): point at the key itself
    const bad = Object.keys((valueAt(src.value, issue.path) as object) ?? {}).find((k) => !isValidKey(issue, k));
    const path = bad !== undefined ? [...issue.path, bad] : issue.path;
    const inner = issue.issues[0]?.message ?? issue.message;
    return new HsmError(code, `\`${formatPath(path)}\`: invalid name: ${inner}`, { location: locate(src, path, true), hint });
  }
  const field = formatPath(issue.path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && valueAt(src.value, issue.path) === undefined) message = 'required';
  if (issue.code === 'invalid_union') message = describeUnion(issue) ?? message;
  return new HsmError(code, `\`${field}\`: ${message}`, { location: locate(src, issue.path), hint });
}

function isValidKey(issue: z.core.$ZodIssue & { code: 'invalid_key' }, key: string): boolean {
  // the record's key schema is not reachable from the issue; re-check with the same rule names use
  return /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}$/.test(key) || issue.issues.length === 0;
}

function describeUnion(issue: z.core.$ZodIssue & { code: 'invalid_union' }): string | undefined {
  const msgs = issue.errors.map((branch) => branch[0]).filter(Boolean);
  const notType = msgs.find((m) => m.code !== 'invalid_type');
  return notType ? `${formatPath(notType.path)} ${notType.message}`.trim() : undefined;
}

export function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Validates a parsed YAML document against `schema`; throws the first problem as a located HsmError. */
export function validateSource<T extends z.ZodType>(schema: T, src: YamlSource, code: ErrorCode, hint: string): z.infer<T> {
  const r = schema.safeParse(src.value);
  if (r.success) return r.data;
  const issues = [...r.error.issues].sort((a, b) => rank(a) - rank(b));
  throw issueToError(code, src, schema, issues[0], hint);
}

// unknown keys first: a typo usually explains the "required" error beside it
function rank(i: z.core.$ZodIssue): number {
  return i.code === 'unrecognized_keys' ? 0 : 1;
}
