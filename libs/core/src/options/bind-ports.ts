/**
 * `compose.bind` (issue 11): catalog services publish on 127.0.0.1 (`127.0.0.1:${{ options.port }}:5432`), so a
 * stack on café Wi-Fi is not open to the network. `compose.bind: 0.0.0.0` in hsm.yaml — explicit, visible in
 * review — rewrites those loopback bindings for the whole stack. Ports a definition publishes elsewhere are left
 * as written. Pure; returns new objects.
 */
import type { ServiceFragment } from '../schema/definition.js';

export const LOOPBACK = '127.0.0.1';

function rebind(entry: unknown, bind: string): unknown {
  if (typeof entry === 'string') return entry.startsWith(`${LOOPBACK}:`) ? `${bind}:${entry.slice(LOOPBACK.length + 1)}` : entry;
  if (entry && typeof entry === 'object' && !Array.isArray(entry) && (entry as Record<string, unknown>).host_ip === LOOPBACK) {
    return { ...(entry as Record<string, unknown>), host_ip: bind };
  }
  return entry;
}

function rebindService<T extends { ports?: unknown[] }>(s: T, bind: string): T {
  return Array.isArray(s.ports) ? { ...s, ports: s.ports.map((p) => rebind(p, bind)) } : s;
}

export function bindPorts(services: Record<string, ServiceFragment>, bind: string): Record<string, ServiceFragment> {
  const out: Record<string, ServiceFragment> = {};
  for (const [name, s] of Object.entries(services)) {
    const next = rebindService(s, bind);
    out[name] = next.dev ? { ...next, dev: rebindService(next.dev, bind) } : next;
  }
  return out;
}
