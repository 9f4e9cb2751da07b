/**
 * Merges a service's `dev:` fragment over the service, by the rules Compose itself applies to override files
 * (compose-spec "Merge"), so a definition author's intuition from `compose.override.yaml` carries over:
 * - mappings merge key by key, recursively; scalars are replaced;
 * - `command`, `entrypoint` and `healthcheck.test` are replaced, not appended;
 * - `environment`, `labels`, `build.args`, `extra_hosts`, `sysctls`, `annotations`, `depends_on` are mappings even
 *   when written as lists (`KEY=VALUE`, `[a, b]`), and merge by key;
 * - `ports` are appended without duplicates; `volumes`, `devices`, `secrets`, `configs` are unique by their
 *   target: the fragment's entry replaces the service's entry for the same target;
 * - every other sequence is appended (duplicates dropped).
 */

type Json = unknown;
type Obj = Record<string, Json>;

const REPLACED = new Set(['command', 'entrypoint']);
const MAP_LIKE = new Set(['environment', 'labels', 'extra_hosts', 'sysctls', 'annotations', 'depends_on']);
const UNIQUE_BY_TARGET = new Set(['volumes', 'devices', 'secrets', 'configs']);

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `["A=1", "B"]` → `{ A: "1", B: null }`; `[svc]` (depends_on) → `{ svc: {} }`; a mapping is copied. */
export function listToMap(key: string, v: unknown): Obj {
  if (isPlainObject(v)) return { ...v };
  const out: Obj = {};
  if (!Array.isArray(v)) return out;
  for (const item of v) {
    const s = String(item);
    if (key === 'depends_on') {
      out[s] = { condition: 'service_started' };
      continue;
    }
    // extra_hosts lists use `host:ip` (and `host=ip`); the rest use `KEY=VALUE`.
    const sep = key === 'extra_hosts' && !s.includes('=') ? s.indexOf(':') : s.indexOf('=');
    if (sep < 0) out[s] = null;
    else out[s.slice(0, sep)] = s.slice(sep + 1);
  }
  return out;
}

function mountTarget(key: string, item: unknown): string {
  if (isPlainObject(item)) return String(item.target ?? item.source ?? JSON.stringify(item));
  const s = String(item);
  if (key === 'secrets' || key === 'configs') return s;
  // `src:dst[:mode]` or `dst` (anonymous volume); devices use `host:container[:perm]`.
  const parts = s.split(':');
  return parts.length >= 2 ? parts[1] : parts[0];
}

function appendUnique(base: unknown[], over: unknown[]): unknown[] {
  const seen = new Set(base.map((x) => JSON.stringify(x)));
  const out = [...base];
  for (const x of over) {
    const k = JSON.stringify(x);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

function mergeByTarget(key: string, base: unknown[], over: unknown[]): unknown[] {
  const replaced = new Map(over.map((x) => [mountTarget(key, x), x] as const));
  const out: unknown[] = [];
  for (const x of base) {
    const t = mountTarget(key, x);
    if (!replaced.has(t)) out.push(x);
  }
  return appendUnique(out, over);
}

function mergeValue(key: string, base: Json, over: Json, path: string): Json {
  if (over === undefined) return base;
  if (base === undefined) return over;
  if (REPLACED.has(key) || path === 'healthcheck.test') return over;
  if (MAP_LIKE.has(key) || path === 'build.args') {
    return mergeObjects(listToMap(key, base), listToMap(key, over), path);
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    return UNIQUE_BY_TARGET.has(key) ? mergeByTarget(key, base, over) : appendUnique(base, over);
  }
  if (isPlainObject(base) && isPlainObject(over)) return mergeObjects(base, over, path);
  return over;
}

function mergeObjects(base: Obj, over: Obj, path: string): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = mergeValue(k, base[k], v, path ? `${path}.${k}` : k);
  }
  return out;
}

/**
 * The service with `fragment` merged over it. `build: "dir"` is read as `{ context: "dir" }` on both sides so a
 * fragment can change only the dockerfile. Neither input is modified.
 */
export function mergeServiceFragment(service: Obj, fragment: Obj): Obj {
  const norm = (s: Obj): Obj => (typeof s.build === 'string' ? { ...s, build: { context: s.build } } : s);
  return mergeObjects(norm(service), norm(fragment), '');
}
