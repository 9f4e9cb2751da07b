/**
 * The capabilities a component definition needs (issue 16): every service and its `dev:` fragment, whatever mode
 * the component runs in, so the allowance in the shared hsm.yaml does not depend on anyone's personal mode. Pure;
 * shared by the plan-time check, `hsm info` and the registry service's component document.
 */
import { posix } from 'node:path';
import type { ComponentDefinition } from '../schema/definition.js';
import { CAPABILITIES, type Capability } from './capabilities.js';

export interface CapabilityFinding {
  capability: Capability;
  service: string;
  /** Where in the definition: `['services', 'api', 'dev', 'volumes', 0]`. */
  path: (string | number)[];
  /** What the definition writes there, for messages: `privileged: true`, `/var/run/docker.sock:/var/run/docker.sock`. */
  what: string;
}

type Obj = Record<string, unknown>;

const HOST_NAMESPACE_KEYS = ['network_mode', 'pid', 'ipc', 'uts', 'userns_mode', 'cgroup'] as const;
const UNCONFINED = /^(?:(?:seccomp|apparmor|systempaths)[=:]unconfined|label[=:]disable)$/i;
const SOCKET = /(?:^|\/)(?:docker|podman|containerd)\.sock$/;
/** Host directories that hold the Docker socket: mounting one hands it over too. */
const SOCKET_DIRS = new Set(['/', '/var', '/var/run', '/run']);
const NAMED_VOLUME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function definitionFindings(definition: ComponentDefinition): CapabilityFinding[] {
  const out: CapabilityFinding[] = [];
  for (const [service, fragment] of Object.entries(definition.services ?? {})) {
    const { dev, ...base } = fragment as Obj;
    out.push(...fragmentFindings(service, base, ['services', service], false));
    if (isObj(dev)) out.push(...fragmentFindings(service, dev, ['services', service, 'dev'], true));
  }
  return out;
}

/** The capabilities `definition` needs, in the order of CAPABILITIES. */
export function definitionCapabilities(definition: ComponentDefinition): Capability[] {
  const needed = new Set(definitionFindings(definition).map((f) => f.capability));
  return CAPABILITIES.filter((c) => needed.has(c));
}

function fragmentFindings(service: string, f: Obj, at: (string | number)[], inDev: boolean): CapabilityFinding[] {
  const out: CapabilityFinding[] = [];
  const add = (capability: Capability, path: (string | number)[], what: string) => out.push({ capability, service, path: [...at, ...path], what });

  if (f.privileged !== undefined && f.privileged !== false && String(f.privileged).toLowerCase() !== 'false') add('privileged', ['privileged'], `privileged: ${String(f.privileged)}`);
  if (nonEmpty(f.cap_add)) add('cap-add', ['cap_add'], `cap_add: ${show(f.cap_add)}`);
  for (const key of ['devices', 'device_cgroup_rules'] as const) if (nonEmpty(f[key])) add('devices', [key], `${key}: ${show(f[key])}`);
  if (f.gpus !== undefined) add('devices', ['gpus'], `gpus: ${show(f.gpus)}`);
  for (const key of HOST_NAMESPACE_KEYS) {
    if (typeof f[key] === 'string' && (f[key] as string).trim().toLowerCase() === 'host') add('host-namespaces', [key], `${key}: host`);
  }
  if (Array.isArray(f.security_opt)) {
    f.security_opt.forEach((o, i) => {
      if (typeof o === 'string' && UNCONFINED.test(o.trim())) add('no-confinement', ['security_opt', i], `security_opt: ${o}`);
    });
  }
  if (Array.isArray(f.volumes)) {
    f.volumes.forEach((v, i) => {
      const source = bindSource(v);
      if (source === null) return;
      const what = typeof v === 'string' ? v : `${source} (${show(v)})`;
      for (const c of hostPathCapabilities(source, inDev)) add(c, ['volumes', i], what);
    });
  }
  envFiles(f.env_file).forEach(({ path, index }) => {
    if (leavesProject(path)) add('host-mounts', index === null ? ['env_file'] : ['env_file', index], `env_file: ${path}`);
  });
  if (Array.isArray(f.ports)) {
    f.ports.forEach((p, i) => {
      if (publishesOnAllInterfaces(p)) add('public-ports', ['ports', i], `ports: ${typeof p === 'object' ? show(p) : String(p)}`);
    });
  }
  return out;
}

/** The host side of a bind mount, or null for named and anonymous volumes, tmpfs and the like. */
function bindSource(v: unknown): string | null {
  if (typeof v === 'string') {
    if (/^[A-Za-z]:[\\/]/.test(v)) return v.slice(0, v.indexOf(':', 2) < 0 ? v.length : v.indexOf(':', 2)); // C:\data:/data
    const colon = v.indexOf(':');
    if (colon < 0) return null; // anonymous volume
    const source = v.slice(0, colon);
    return NAMED_VOLUME.test(source) ? null : source;
  }
  if (!isObj(v)) return null;
  const type = v.type ?? 'volume';
  if (type === 'npipe') return typeof v.source === 'string' ? v.source : '';
  if (type !== 'bind' && !(type === 'volume' && typeof v.source === 'string' && !NAMED_VOLUME.test(v.source))) return null;
  return typeof v.source === 'string' ? v.source : '';
}

/**
 * A dev fragment's relative source is rebased into the checkout (SPEC §6.3), so it is the component's own tree
 * when it stays inside; anything else reaches the host: absolute, `~`, `${VAR}`, or relative in the prod service
 * (relative to the project, not to the component).
 */
function hostPathCapabilities(source: string, inDev: boolean): Capability[] {
  if (source.startsWith('\\\\') || /docker_engine/i.test(source)) return ['docker-socket']; // Windows named pipe
  const normalised = posix.normalize(source.replace(/\/+$/, '') || '/');
  if (inDev && !source.startsWith('/') && !source.startsWith('~') && !source.includes('$') && normalised !== '..' && !normalised.startsWith('../')) return [];
  if (SOCKET.test(normalised)) return ['docker-socket'];
  if (posix.isAbsolute(normalised) && SOCKET_DIRS.has(normalised)) return ['host-mounts', 'docker-socket'];
  return ['host-mounts'];
}

function envFiles(v: unknown): { path: string; index: number | null }[] {
  if (typeof v === 'string') return [{ path: v, index: null }];
  if (!Array.isArray(v)) return [];
  return v.flatMap((e, index) => {
    const path = typeof e === 'string' ? e : isObj(e) && typeof e.path === 'string' ? e.path : null;
    return path === null ? [] : [{ path, index }];
  });
}

function leavesProject(path: string): boolean {
  const normalised = posix.normalize(path);
  return posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('~') || path.includes('$') || normalised === '..' || normalised.startsWith('../');
}

/**
 * A `ports:` entry that listens on every host interface: no host address (`"6379:6379"`, `6379`, a container port
 * alone — Docker then picks a host port on every interface), `0.0.0.0`, `::`, or an address hsm cannot read
 * (`${HOST_IP}`) — only a literal address other than those is taken as the author's choice.
 */
export function publishesOnAllInterfaces(entry: unknown): boolean {
  if (typeof entry === 'number') return true;
  if (isObj(entry)) return isWildcard(entry.host_ip);
  if (typeof entry !== 'string') return false;
  let rest = entry.trim();
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    return close < 0 ? true : isWildcard(rest.slice(0, close + 1));
  }
  const parts = rest.split(':');
  if (parts.length <= 2) return true;
  return isWildcard(parts.slice(0, parts.length - 2).join(':'));
}

function isWildcard(ip: unknown): boolean {
  if (typeof ip !== 'string') return true;
  const bare = ip.trim().replace(/^\[|\]$/g, '');
  return bare === '' || bare === '0.0.0.0' || bare === '::' || bare.includes('$');
}

function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return v !== undefined && v !== null && v !== '';
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
