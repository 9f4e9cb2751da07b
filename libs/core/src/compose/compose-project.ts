/**
 * The Compose project as Compose itself sees it, for the plan-time checks (issue 9 items 4–6): which files it
 * loads by default (the first of the default names plus its `.override` file, then what they `include:`), how it
 * interpolates `${VAR}` from the environment and `.env`, and which project name it uses. Pure: the host reads
 * the files; these functions only say what Compose would make of them.
 */
import { posix } from 'node:path';
import { parseDocument, isMap, isScalar, isSeq } from 'yaml';

export { COMPOSE_OVERRIDE_FILES } from '../plan/project-files.js';

export type ComposeEnv = Readonly<Record<string, string | undefined>>;

/**
 * `.env` as Compose reads it: `KEY=VALUE` and `export KEY=VALUE`, single quotes literal, double quotes with
 * escapes, unquoted values ending at ` #`; unquoted and double-quoted values interpolate earlier keys.
 */
export function parseDotenv(text: string | null, outer: ComposeEnv = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    const [, key, rest] = m;
    let value: string;
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      value = end < 0 ? rest.slice(1) : rest.slice(1, end);
    } else if (rest.startsWith('"')) {
      const end = /(?<!\\)"/.exec(rest.slice(1))?.index;
      const body = end === undefined ? rest.slice(1) : rest.slice(1, end + 1);
      value =
        interpolate(
          // `\$` is a literal dollar (uv and Compose read it so; hsm.env writes it): `$$` to interpolate
          body.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', $: '$$' })[c as 'n'] ?? c),
          { ...outer, ...out },
        ) ?? '';
    } else {
      value = interpolate(rest.replace(/\s+#.*$/, '').trim(), { ...outer, ...out }) ?? '';
    }
    out[key] = value;
  }
  return out;
}

/** What Compose interpolates with: the process environment wins over `.env` (SPEC §6.2, Compose's rule). */
export function composeEnvironment(dotenvText: string | null, environment: ComposeEnv = {}): Record<string, string> {
  const out = parseDotenv(dotenvText, environment);
  for (const [k, v] of Object.entries(environment)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR:+alt}`, `$VAR` and `$$` as Compose
 * substitutes them (defaults may nest). Null when a required variable (`:?`, `?`) is missing: Compose would refuse
 * the file, so nothing can be read from the value.
 */
export function interpolate(value: string, env: ComposeEnv): string | null {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(value, i + 2);
      if (end < 0) return null;
      const r = substitute(value.slice(i + 2, end), env);
      if (r === null) return null;
      out += r;
      i = end + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      out += env[m[0]] ?? '';
      i += 1 + m[0].length;
    }
  }
  return out;
}

function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function substitute(expr: string, env: ComposeEnv): string | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expr);
  if (!m) return null;
  const [, name, op, arg = ''] = m;
  const v = env[name];
  const unsetOrEmpty = v === undefined || v === '';
  switch (op) {
    case undefined:
      return v ?? '';
    case ':-':
      return unsetOrEmpty ? interpolate(arg, env) : v!;
    case '-':
      return v === undefined ? interpolate(arg, env) : v;
    case ':?':
      return unsetOrEmpty ? null : v!;
    case '?':
      return v === undefined ? null : v;
    case ':+':
      return unsetOrEmpty ? '' : interpolate(arg, env);
    case '+':
      return v === undefined ? '' : interpolate(arg, env);
    default:
      return null;
  }
}

/**
 * The files a compose file pulls in with `include:` (short form, `path:` string or list), as paths relative to
 * the project directory (posix). Unreadable YAML includes nothing (the YAML check reports it elsewhere).
 */
export function composeIncludes(file: string, text: string, env: ComposeEnv): string[] {
  return composeIncludeEntries(file, text, env).map((e) => e.path);
}

/**
 * Each file an `include:` entry loads, with the `env_file`s Compose interpolates it with (paths relative to the
 * including file, like `path`). The project's own `.env` and environment win over an env_file's values.
 */
export function composeIncludeEntries(file: string, text: string, env: ComposeEnv): { path: string; envFiles: string[] }[] {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length || !isMap(doc.contents)) return [];
  const include = doc.contents.get('include', true);
  if (!isSeq(include)) return [];
  const base = posix.dirname(file);
  const resolved = (p: unknown): string | null => {
    if (typeof p !== 'string') return null;
    const v = interpolate(p, env);
    return v ? (posix.isAbsolute(v) ? v : posix.normalize(posix.join(base, v))) : null;
  };
  const list = (node: unknown): string[] => (isScalar(node) ? [resolved(node.value)] : isSeq(node) ? node.items.map((x) => (isScalar(x) ? resolved(x.value) : null)) : []).filter((p): p is string => p !== null);
  const out: { path: string; envFiles: string[] }[] = [];
  for (const item of include.items) {
    if (isScalar(item)) for (const path of list(item)) out.push({ path, envFiles: [] });
    else if (isMap(item)) {
      const envFiles = list(item.get('env_file', true));
      for (const path of list(item.get('path', true))) out.push({ path, envFiles });
    }
  }
  return out;
}

/** A compose file's top-level `name:`, interpolated (undefined when it has none). */
export function composeFileName(text: string, env: ComposeEnv): string | undefined {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length || !isMap(doc.contents)) return undefined;
  const name = doc.contents.get('name', true);
  if (!isScalar(name) || typeof name.value !== 'string') return undefined;
  return interpolate(name.value, env) || undefined;
}
