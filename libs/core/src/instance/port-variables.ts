/**
 * The committed docker-compose.hsm.yml is the same in every checkout (issue 12), so a checkout's own host ports
 * reach Compose through interpolation: every published host port is written as `${HSM_PORT_<SERVICE>_<PORT>:-PORT}`
 * with the declared port as default. With no variable set (the primary checkout, CI, a teammate) Compose publishes
 * exactly what it did before; a second checkout sets the variables in its git-ignored `.env` block.
 * The name carries service and declared host port: a service publishes a host port once (the plan-time clash
 * check), so no two bindings of a stack share a variable — except tcp and udp of one port, which should move
 * together anyway. Pure.
 */
import { isPlainObject } from '../compose/merge-service.js';

export const PORT_VARIABLE_PREFIX = 'HSM_PORT_';

export function portVariable(service: string, hostPort: number): string {
  return `${PORT_VARIABLE_PREFIX}${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${hostPort}`;
}

// `[IP:]HOST:CONTAINER[/proto]` with one host port (ranges and ephemeral host ports are left alone)
const SHORT = /^(.*:)?(\d{1,5}):([^:]+)$/;

/** One `ports:` entry with its host port as a variable reference (unchanged when it has no single host port). */
export function parametrisePort(service: string, entry: unknown): unknown {
  if (typeof entry === 'string') {
    const m = SHORT.exec(entry);
    if (!m) return entry;
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return entry;
    return `${m[1] ?? ''}\${${portVariable(service, port)}:-${port}}:${m[3]}`;
  }
  if (isPlainObject(entry)) {
    const published = entry.published;
    const text = typeof published === 'number' ? String(published) : typeof published === 'string' ? published : '';
    if (!/^\d{1,5}$/.test(text)) return entry;
    const port = Number(text);
    return { ...entry, published: `\${${portVariable(service, port)}:-${port}}` };
  }
  return entry;
}

export function parametrisePorts(service: string, ports: unknown): unknown {
  return Array.isArray(ports) ? ports.map((p) => parametrisePort(service, p)) : ports;
}

/** The variable a published entry carries and its default (`${HSM_PORT_X_6379:-6379}`), or null. */
export function portReference(text: string): { variable: string; port: number } | null {
  const m = /\$\{(HSM_PORT_[A-Z0-9_]+):-(\d{1,5})\}/.exec(text);
  return m ? { variable: m[1], port: Number(m[2]) } : null;
}
