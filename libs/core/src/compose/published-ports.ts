/**
 * Host ports a Compose `ports:` entry publishes, for the plan-time port-clash check. Entries hsm cannot read
 * statically (`${PORT}` interpolation, container-only ports, ephemeral host ports) publish nothing here.
 */

export interface PortBinding {
  /** Host address, or null for all addresses (`0.0.0.0`, `::` or none given). */
  ip: string | null;
  port: number;
  protocol: string;
  /** The entry as written, for messages. */
  spec: string;
  /** The container side as written (`6379`, `53/udp`), for `hsm ports`. */
  target?: string;
}

const MAX_RANGE = 1024;

function hostPorts(text: string): number[] | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo || hi - lo > MAX_RANGE) return null;
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function normIp(ip: string | undefined): string | null {
  if (ip === undefined) return null;
  const bare = ip.replace(/^\[|\]$/g, '');
  return bare === '' || bare === '0.0.0.0' || bare === '::' ? null : bare;
}

function bindings(ip: string | null, published: string, protocol: string, spec: string, target: string): PortBinding[] {
  return (hostPorts(published) ?? []).map((port) => ({ ip, port, protocol, spec, target }));
}

/** Host-side bindings of one `ports:` entry (short `[IP:]HOST:CONTAINER[/proto]` or long syntax). */
export function publishedPorts(entry: unknown): PortBinding[] {
  if (typeof entry === 'number') return [];
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const e = entry as Record<string, unknown>;
    if (e.published === undefined || e.published === null || e.published === '') return [];
    const protocol = typeof e.protocol === 'string' ? e.protocol.toLowerCase() : 'tcp';
    const ip = normIp(typeof e.host_ip === 'string' ? e.host_ip : undefined);
    const spec = `${e.host_ip ? `${String(e.host_ip)}:` : ''}${String(e.published)}:${String(e.target)}/${protocol}`;
    return bindings(ip, String(e.published), protocol, spec, `${String(e.target)}${protocol === 'tcp' ? '' : `/${protocol}`}`);
  }
  if (typeof entry !== 'string') return [];
  const spec = entry;
  let rest = entry;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
  }
  let ip: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return [];
    ip = rest.slice(0, close + 1);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (ip === undefined && parts.length === 3) {
    ip = parts.shift();
  } else if (ip === undefined && parts.length > 3) {
    // Unbracketed IPv6 address: everything before the last two fields.
    ip = parts.splice(0, parts.length - 2).join(':');
  }
  if (parts.length === 1) return []; // container port only: Docker picks an ephemeral host port
  if (parts.length !== 2) return [];
  return bindings(normIp(ip), parts[0], protocol, spec, `${parts[1]}${protocol === 'tcp' ? '' : `/${protocol}`}`);
}

/** Two bindings collide when port and protocol match and their addresses overlap. */
export function bindingsClash(a: PortBinding, b: PortBinding): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === null || b.ip === null || a.ip === b.ip);
}
