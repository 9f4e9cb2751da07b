/**
 * Plan-time clash check between the stack and the user's Compose project, seen as Compose sees it: the user's
 * file, its `.override` file and the files they `include:`, with `${VAR:-default}` interpolated from the
 * environment and `.env` (issue 9 items 4, 5). Every clash is collected and reported at once, each naming the
 * file:line of both sides.
 */
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { HsmError, ErrorCodes, type ErrorCode } from '../errors.js';
import { publishedPorts, bindingsClash, type PortBinding } from './published-ports.js';
import { interpolate, type ComposeEnv } from './compose-project.js';

export interface ComposeSource {
  text: string;
  /** Values its `include:` entry's env_file gives (the project's env wins over them). */
  envDefaults?: Record<string, string>;
  /** Its name as shown in messages, relative to the project, e.g. `docker/docker-compose-base.yml`. */
  file: string;
}

interface ClashCheckInput {
  /** The generated file and which component owns each of its services. */
  generated: ComposeSource;
  owners: ReadonlyMap<string, string>;
  /** Every file of the user's Compose project, the main file first. */
  user: ComposeSource[];
  env: ComposeEnv;
  link?: 'include' | 'env' | 'none';
}

interface Located extends PortBinding {
  service: string;
  file: string;
  location: string;
}

interface Clash {
  code: ErrorCode;
  message: string;
  location: string;
  hint: string;
}

export function checkComposeClashes(input: ClashCheckInput): void {
  const ours = readComposeFile(input.generated, input.env);
  const owner = (service: string) => `component ${input.owners.get(service) ?? '?'}`;
  const ourLocation = new Map(ours.services.map((s) => [s.name, s.location]));
  const clashes: Clash[] = [];

  const userBindings: Located[] = [];
  for (const source of input.user.filter((u) => u.file !== input.generated.file)) {
    const { services, bindings } = readComposeFile(source, input.env);
    if (input.link === 'include') {
      for (const s of services.filter((x) => ourLocation.has(x.name))) {
        clashes.push({
          code: ErrorCodes.SERVICE_CLASH,
          location: s.location,
          message: `service \`${s.name}\` is defined in ${s.location} and by ${owner(s.name)} (${ourLocation.get(s.name)}); Compose refuses an included service defined twice`,
          hint: `rename or remove \`${s.name}\` in ${source.file}, pick another component than ${input.owners.get(s.name)}, or set \`compose.link: env\` in hsm.yaml so your \`${s.name}\` overrides the stack's`,
        });
      }
    }
    // A user service named like one of ours is an override Compose merges into ours (or a clash reported
    // above); Compose appends its `ports:` to ours, so they count too (an entry equal to ours is kept once)
    userBindings.push(...bindings);
  }

  const seen: Located[] = [];
  for (const b of ours.bindings) {
    const other = seen.find((o) => bindingsClash(o, b) && o.service !== b.service);
    if (other) {
      clashes.push({
        code: ErrorCodes.PORT_CLASH,
        location: b.location,
        message: `host port ${b.port}/${b.protocol} is published twice: by service ${other.service} of ${owner(other.service)} (\`${other.spec}\`, ${other.location}) and by service ${b.service} of ${owner(b.service)} (\`${b.spec}\`, ${b.location})`,
        hint: `remove ${input.owners.get(b.service)} or ${input.owners.get(other.service)}, or publish one of them on another host port`,
      });
    }
    seen.push(b);
  }
  const reported = new Set<string>();
  for (const u of userBindings) {
    for (const b of ours.bindings) {
      const key = `${u.location} ${b.service}`;
      if (!bindingsClash(u, b) || reported.has(key) || (u.service === b.service && sameBinding(u, b))) continue;
      reported.add(key);
      clashes.push({
        code: ErrorCodes.PORT_CLASH,
        location: u.location,
        message: `host port ${b.port}/${b.protocol} is published twice: by service ${u.service} in ${u.location} (\`${u.spec}\`) and by service ${b.service} of ${owner(b.service)} (\`${b.spec}\`, ${b.location})`,
        hint:
          u.service === b.service
            ? `Compose adds the ports of your \`${u.service}\` to the stack's, it does not replace them: remove the host port from ${u.file}, or move the stack's (\`hsm info ${input.owners.get(b.service)}\` lists its options)`
            : `change or remove the host port in ${u.file}, or pick another component than ${input.owners.get(b.service)}`,
      });
    }
  }
  if (clashes.length === 0) return;
  const first = clashes.find((c) => c.code === ErrorCodes.SERVICE_CLASH) ?? clashes[0];
  if (clashes.length === 1) throw new HsmError(first.code, first.message, { location: first.location, hint: first.hint });
  throw new HsmError(first.code, `${clashes.length} clashes between the stack and your Compose files (all listed below)`, {
    details: clashes.map((c) => `${c.message} — ${c.hint}`),
    hint: 'fix each one as its line says, then run the command again',
  });
}

/** One binding written twice (an override repeating the stack's entry): Compose publishes it once. */
function sameBinding(a: PortBinding, b: PortBinding): boolean {
  return a.ip === b.ip && a.port === b.port && a.protocol === b.protocol && a.target === b.target;
}

/** The services of a compose file and the host ports they publish (interpolated), with file:line:col. */
export function readComposeFile(source: ComposeSource, env: ComposeEnv): { services: { name: string; location: string }[]; bindings: Located[] } {
  const lines = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter: lines, merge: true, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const pos = offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
    return `${source.file}:${pos.line}:${pos.col}`;
  };
  const err = doc.errors[0];
  if (err) {
    throw new HsmError(ErrorCodes.COMPOSE_INVALID, `${source.file} is not valid YAML: ${err.message.split('\n')[0]}`, {
      location: at(err.pos[0]),
      hint: `fix the YAML syntax in ${source.file}`,
    });
  }
  const bindings: Located[] = [];
  const names: { name: string; location: string }[] = [];
  const services = isMap(doc.contents) ? doc.contents.get('services', true) : undefined;
  if (!isMap(services)) return { services: names, bindings };
  for (const pair of services.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const service = String(pair.key.value);
    names.push({ name: service, location: at(pair.key.range?.[0]) });
    const ports = mapValue(doc, pair.value, 'ports');
    if (!isSeq(ports)) continue;
    for (const item of ports.items) {
      const value = isScalar(item) ? item.value : isMap(item) ? item.toJSON() : undefined;
      for (const b of publishedPorts(interpolated(value, source.envDefaults ? { ...source.envDefaults, ...env } : env))) {
        bindings.push({ ...b, service, file: source.file, location: at((item as Node).range?.[0]) });
      }
    }
  }
  return { services: names, bindings };
}

/** The node behind an alias (`*name`), or the node itself. */
function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/**
 * `key` of a mapping as YAML's merge keys give it (what Compose reads): the map's own entry, else the first
 * `<<: *anchor` (or `<<: [*a, *b]`) source that has it; aliases followed.
 */
function mapValue(doc: Document, node: unknown, key: string, depth = 0): unknown {
  const map = deref(doc, node);
  if (!isMap(map) || depth > 16) return undefined;
  const own = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (own) return deref(doc, own.value);
  for (const p of map.items) {
    if (!isScalar(p.key) || typeof p.key.value !== 'symbol') continue; // `<<` is parsed as a symbol with merge: true
    const merged = deref(doc, p.value);
    for (const source of isSeq(merged) ? merged.items : [merged]) {
      const found = mapValue(doc, source, key, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** A `ports:` entry with `${VAR}` substituted the way Compose does it. */
export function interpolated(value: unknown, env: ComposeEnv): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? interpolate(v, env) : v;
    return out;
  }
  return value;
}
