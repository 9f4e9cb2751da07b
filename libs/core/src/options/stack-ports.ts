/**
 * The host ports a generated compose file publishes, with the service and component that want each, for the
 * "port already in use on this machine" check the shell runs before writing (issue 11). Pure: reads the text.
 */
import { parse } from 'yaml';
import { publishedPorts } from '../compose/published-ports.js';
import { interpolated } from '../compose/compose-clashes.js';
import type { ComposeEnv } from '../compose/compose-project.js';

export interface StackPort {
  service: string;
  component: string;
  /** Host address, or null for every address. */
  ip: string | null;
  port: number;
  protocol: string;
}

/** `env`: what Compose interpolates `${HSM_PORT_…:-N}` with (`.env` and the environment); none → the defaults. */
export function stackHostPorts(composeText: string | null, env: ComposeEnv = {}): StackPort[] {
  if (!composeText) return [];
  const doc = parse(composeText) as { services?: Record<string, { ports?: unknown[]; labels?: Record<string, string> }> } | null;
  const out: StackPort[] = [];
  for (const [service, body] of Object.entries(doc?.services ?? {})) {
    const component = body?.labels?.['dev.hsm.component'] ?? service;
    for (const entry of Array.isArray(body?.ports) ? body.ports : []) {
      for (const b of publishedPorts(interpolated(entry, env))) out.push({ service, component, ip: b.ip, port: b.port, protocol: b.protocol });
    }
  }
  return out;
}
