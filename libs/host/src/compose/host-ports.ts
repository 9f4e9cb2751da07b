/**
 * "Port already in use on this machine" (issue 11): before hsm writes a compose file that publishes host ports
 * (and before `hsm up`), each TCP port is checked by binding it for a moment on the address it will publish on.
 * A port the stack's own containers already publish is not a problem (a re-sync of a running stack); Docker is
 * asked which ports those are only when a probe finds one taken.
 */
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import { HsmError, ErrorCodes, stackHostPorts, type ComposeEnv, type StackPort } from '@hsm/core';
import { runProcess } from '../run-process.js';

// node:net is loaded at the first check, not with the module: commands that write only files never need it (spec §12)
const nodeRequire = createRequire(import.meta.url);

/** Pauses between binds before a port counts as taken (ms): ~150 ms in all, paid only when a bind fails. */
const RETRY_AFTER_MS = [50, 100];

/**
 * True when something already listens on ip:port (the bind fails with EADDRINUSE or EACCES) — and still does a
 * moment later: another hsm checking the same port at the same time (two worktrees, parallel agents) binds it for
 * an instant too, and its probe must not read as a service holding the port.
 */
export async function tcpPortTaken(ip: string | null, port: number): Promise<boolean> {
  for (const pause of [0, ...RETRY_AFTER_MS]) {
    if (pause) await new Promise((r) => setTimeout(r, pause));
    if (!(await bindFails(ip, port))) return false;
  }
  return true;
}

function bindFails(ip: string | null, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = (nodeRequire('node:net') as typeof Net).createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' || e.code === 'EACCES'));
    // exclusive: a port shared through cluster mode would otherwise look free
    server.listen({ port, host: ip ?? '0.0.0.0', exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Host ports (`ip:port/proto` and `port/proto`) the running containers of a Compose project publish. */
export async function projectPublishedPorts(projectName: string): Promise<Set<string>> {
  const out = new Set<string>();
  try {
    const r = await runProcess(['docker', 'ps', '--filter', `label=com.docker.compose.project=${projectName}`, '--format', '{{.Ports}}'], { allowFailure: true, timeoutMs: 15_000 });
    if (r.exitCode !== 0) return out;
    for (const m of r.stdout.matchAll(/(?:(\[[0-9a-fA-F:]*\]|[0-9.]+|::):)?(\d+)(?:-(\d+))?->\d+(?:-\d+)?\/(tcp|udp)/g)) {
      const lo = Number(m[2]);
      const hi = m[3] === undefined ? lo : Number(m[3]);
      for (let p = lo; p <= hi && p - lo < 1024; p++) out.add(`${p}/${m[4]}`);
    }
  } catch {
    // no docker CLI: no container of ours can hold a port
  }
  return out;
}

export interface PortInUse extends StackPort {}

/** The stack's TCP host ports that something outside the stack holds, in file order. */
export async function portsInUse(composeText: string | null, projectName: string, env: ComposeEnv = {}): Promise<PortInUse[]> {
  const wanted = stackHostPorts(composeText, env).filter((p) => p.protocol === 'tcp' && (p.ip === null || /^[0-9.]+$/.test(p.ip)));
  const taken: PortInUse[] = [];
  for (const p of wanted) if (await tcpPortTaken(p.ip, p.port)) taken.push(p);
  if (taken.length === 0) return [];
  const ours = await projectPublishedPorts(projectName);
  return taken.filter((p) => !ours.has(`${p.port}/${p.protocol}`));
}

/**
 * Refuses a compose file whose host ports are taken on this machine, naming the port, the service that wants it
 * and the option that moves it (when the component has one set to that port).
 */
export async function refusePortsInUse(composeText: string | null, projectName: string, portOptions: (component: string, port: number) => string | null, env: ComposeEnv = {}): Promise<void> {
  const busy = await portsInUse(composeText, projectName, env);
  if (busy.length === 0) return;
  const [first] = busy;
  const option = portOptions(first.component, first.port);
  const where = first.ip ? `${first.ip}:${first.port}` : `${first.port}`;
  throw new HsmError(ErrorCodes.PORT_IN_USE, `port already in use on this machine: host port ${where}/tcp, wanted by service ${first.service} (component ${first.component}), is taken by something outside this stack`, {
    details: busy.slice(1).map((p) => `also taken: ${p.ip ? `${p.ip}:` : ''}${p.port}/tcp (service ${p.service})`),
    hint: option
      ? `use a free port on this machine only: \`hsm set ${first.component} ${option}=<port> --local\` (while adding it: \`hsm add ${first.component} --with ${option}=<port>\`), or stop what listens on ${first.port}`
      : `stop what listens on ${first.port}, or publish service ${first.service} on another host port`,
  });
}
