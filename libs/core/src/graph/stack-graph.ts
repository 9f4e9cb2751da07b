/**
 * The resolved stack as a graph (`hsm graph`): components with version and mode, the interface groups they fill,
 * their Compose services with host ports, and `requires` edges. Plain sorted data, so every renderer built on it
 * (Mermaid, DOT, JSON) is deterministic: same stack → same bytes.
 */
import type { Resolution, ResolvedComponent } from '../model.js';
import type { Group } from '../schema/manifest.js';
import type { Mode } from '../schema/common.js';
import { parseComponentRequirement } from '../schema/definition.js';
import { isPlainObject, mergeServiceFragment } from '../compose/merge-service.js';
import { publishedPorts } from '../compose/published-ports.js';

export interface GraphService {
  name: string;
  /** The image it runs, or null when it is built from the dev checkout. */
  image: string | null;
  /** Host-side bindings as `[ip:]port[/udp]`, in the order the definition lists them. */
  ports: string[];
}

export interface GraphComponent {
  name: string;
  version: string;
  mode: Mode;
  registry: string;
  /** The Python distribution it adds, if any. */
  python: string | null;
  /** A Python package and no Compose service. */
  pythonOnly: boolean;
  provides: string[];
  services: GraphService[];
  /** The group (cluster) it is drawn in: the first group it fills, by name. */
  group: string | null;
}

export interface GraphGroup {
  interface: string;
  /** The manifest's policy, or null for an interface only `requires` asks for. */
  policy: 'one' | 'many' | null;
  members: string[];
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Set when the edge comes from `requires: [{ interface }]`, filled by `to`. */
  interface?: string;
  /** The range of a `name@range` requirement. */
  range?: string;
}

export interface StackGraph {
  name: string;
  components: GraphComponent[];
  groups: GraphGroup[];
  edges: GraphEdge[];
}

export interface StackGraphInput {
  /** The project's name (hsm.yaml `name`). */
  name: string;
  resolution: Resolution;
  /** hsm.yaml `groups`. */
  groups?: Record<string, Group>;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildStackGraph(input: StackGraphInput): StackGraph {
  const { resolution } = input;
  const inStack = new Set(resolution.components.map((c) => c.name));
  const edges: GraphEdge[] = [];
  const required = new Set<string>();
  for (const c of resolution.components) {
    for (const r of c.definition.requires ?? []) {
      if (typeof r === 'string') {
        const { name, range } = parseComponentRequirement(r);
        if (inStack.has(name)) edges.push({ from: c.name, to: name, ...(range === '*' ? {} : { range }) });
      } else {
        required.add(r.interface);
        for (const m of resolution.interfaces[r.interface] ?? []) edges.push({ from: c.name, to: m, interface: r.interface });
      }
    }
  }
  const manifestGroups = input.groups ?? {};
  const groupNames = [...new Set([...Object.keys(manifestGroups), ...required])].sort(byString);
  const groups: GraphGroup[] = groupNames.map((g) => ({
    interface: g,
    policy: manifestGroups[g]?.policy ?? null,
    members: [...(resolution.interfaces[g] ?? [])].sort(byString),
  }));
  const components = [...resolution.components].sort((a, b) => byString(a.name, b.name)).map((c) => graphComponent(c, groups));
  edges.sort((a, b) => byString(a.from, b.from) || byString(a.to, b.to) || byString(a.interface ?? '', b.interface ?? ''));
  return { name: input.name, components, groups, edges: dedupe(edges) };
}

function graphComponent(c: ResolvedComponent, groups: GraphGroup[]): GraphComponent {
  const services = Object.keys(c.definition.services ?? {})
    .sort(byString)
    .map((name) => graphService(name, c));
  return {
    name: c.name,
    version: c.version,
    mode: c.mode,
    registry: c.registry,
    python: c.definition.python?.package ?? null,
    pythonOnly: c.definition.python !== undefined && services.length === 0,
    provides: [...(c.definition.provides ?? [])].sort(byString),
    services,
    group: groups.find((g) => g.members.includes(c.name))?.interface ?? null,
  };
}

/** The service as this mode runs it: in dev the `dev:` fragment is merged over it (SPEC §6.2). */
function graphService(name: string, c: ResolvedComponent): GraphService {
  const { dev, ...base } = c.definition.services![name] as Record<string, unknown>;
  const body = c.mode === 'dev' && isPlainObject(dev) ? mergeServiceFragment(base, dev) : base;
  const builds = c.mode === 'dev' && body.build !== undefined;
  const ports = (Array.isArray(body.ports) ? body.ports : []).flatMap((p) => {
    const bound = publishedPorts(p);
    if (bound.length === 0) return [];
    const first = bound[0];
    const last = bound[bound.length - 1];
    const port = first.port === last.port ? String(first.port) : `${first.port}-${last.port}`;
    return [`${first.ip ? `${first.ip}:` : ''}${port}${first.protocol === 'tcp' ? '' : `/${first.protocol}`}`];
  });
  const image = !builds && typeof body.image === 'string' ? body.image : null;
  return { name, image, ports };
}

function dedupe(edges: GraphEdge[]): GraphEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.from}\0${e.to}\0${e.interface ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `hsm graph --format json`: the graph itself, two-space indented (keys in construction order, stable). */
export function renderGraphJson(graph: StackGraph): string {
  return JSON.stringify(graph, null, 2) + '\n';
}
