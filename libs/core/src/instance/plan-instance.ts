/**
 * What one checkout adds to a plan (issue 12): its Compose project name, its host ports and the connection
 * settings built from them. Nothing here touches a committed file. Compose gets the values from an hsm-owned
 * block at the end of `.env` (Compose reads `.env` by default, so `docker compose up` by hand sees the same
 * project and ports as `hsm up`); the app gets them from `.hsm/env` (`uv run --env-file .hsm/env …`), which is
 * written in every checkout, the primary one included, so the same command works everywhere. The primary
 * checkout (slot 0) writes no `.env` block: existing projects see no change. Pure.
 */
import { posix } from 'node:path';
import { parse } from 'yaml';
import type { ResolvedComponent } from '../model.js';
import { composeEnvironment } from '../compose/compose-project.js';
import { reconfigurePorts, type ConfiguredComponent } from '../options/configure.js';
import { renderEnvFile, dotenvValue } from '../compose/render-env-file.js';
import { publishedPorts } from '../compose/published-ports.js';
import { readComposeFile } from '../compose/compose-clashes.js';
import { userComposeFiles } from '../compose/render-compose.js';
import { instancePorts } from './port-scheme.js';
import type { ProjectFiles, SyncPlan } from '../plan/plan-sync.js';
import { portReference } from './port-variables.js';

export { INSTANCE_ENV_FILE } from '../plan/project-files.js';
export const INSTANCE_STATE_FILE = '.hsm/instance.json';
export const DOTENV_BLOCK_START = "# >>> hsm instance: this checkout's Compose project and host ports (per checkout; `hsm instance` explains) >>>";
export const DOTENV_BLOCK_END = '# <<< hsm instance <<<';

export interface InstancePort {
  service: string;
  component: string;
  /** Container port (and protocol) as the definition writes it, e.g. `6379` or `53/udp`. */
  target: string;
  /** Host address it is published on (null: every address). */
  ip: string | null;
  declared: number;
  port: number;
  variable: string;
}

/** The host ports the generated file publishes through `${HSM_PORT_…:-N}` (declared values). */
export function declaredPorts(composeText: string | null): Omit<InstancePort, 'port'>[] {
  if (!composeText) return [];
  const doc = parse(composeText) as { services?: Record<string, { ports?: unknown[]; labels?: Record<string, string> }> } | null;
  const out: Omit<InstancePort, 'port'>[] = [];
  const seen = new Set<string>();
  for (const [service, body] of Object.entries(doc?.services ?? {})) {
    const component = body?.labels?.['dev.hsm.component'] ?? service;
    for (const entry of Array.isArray(body?.ports) ? body.ports : []) {
      const raw = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? String((entry as Record<string, unknown>).published ?? '') : '';
      const ref = portReference(raw);
      if (!ref || seen.has(ref.variable)) continue;
      seen.add(ref.variable);
      const [b] = publishedPorts(typeof entry === 'string' ? entry.replace(/\$\{[^}]*\}/, String(ref.port)) : { ...(entry as object), published: ref.port });
      out.push({ service, component, target: b?.target ?? '', ip: b?.ip ?? null, declared: ref.port, variable: ref.variable });
    }
  }
  return out;
}

/**
 * Host ports the user's own compose files publish (their file, its override, what they include; `${VAR}` as
 * Compose interpolates it). They are not moved per checkout, so a slot's ports keep off them: the Compose project
 * would otherwise publish one port twice.
 */
export function userHostPorts(files: Pick<ProjectFiles, '.env' | 'userCompose' | 'composeExtra' | 'environment'>): Set<number> {
  const env = composeEnvironment(withoutInstanceBlock(files['.env']), files.environment);
  return new Set(userComposeFiles(files.userCompose, files.composeExtra).flatMap((source) => readComposeFile(source, env).bindings.map((b) => b.port)));
}

/** `.env` without hsm's instance block (the bytes the user wrote). */
export function withoutInstanceBlock(dotenv: string | null): string | null {
  if (dotenv === null) return null;
  const start = dotenv.indexOf(DOTENV_BLOCK_START);
  if (start < 0) return dotenv;
  const endAt = dotenv.indexOf(DOTENV_BLOCK_END, start);
  const endLine = endAt < 0 ? -1 : dotenv.indexOf('\n', endAt);
  const end = endLine < 0 ? dotenv.length : endLine + 1;
  // a block that ends the file without a newline was put there after a file that had none (withInstanceBlock):
  // the newline hsm put before it goes too, so the user's bytes come back exactly
  const before = endLine < 0 && endAt >= 0 ? dotenv.slice(0, start).replace(/\r?\n$/, '') : dotenv.slice(0, start);
  const rest = before + dotenv.slice(end);
  return rest === '' ? null : rest;
}

/** `.env` with the instance block (last, so its values win) set to `values`, or removed when `values` is null. */
export function withInstanceBlock(dotenv: string | null, values: Record<string, string> | null): string | null {
  const base = withoutInstanceBlock(dotenv);
  if (values === null) return base;
  const nl = base?.includes('\r\n') ? '\r\n' : '\n';
  const lines = [DOTENV_BLOCK_START, ...Object.entries(values).map(([k, v]) => `${k}=${dotenvValue(v)}`), DOTENV_BLOCK_END];
  // after a file without a final newline the block ends without one too: withoutInstanceBlock then knows to take
  // back the newline put before it
  const open = base !== null && base !== '' && !base.endsWith('\n');
  return open ? `${base}${nl}${lines.join(nl)}` : `${base ?? ''}${lines.join(nl)}${nl}`;
}

/** Values the current `.env` block sets (empty when there is none). */
export function instanceBlockValues(dotenv: string | null): Record<string, string> {
  if (dotenv === null) return {};
  const start = dotenv.indexOf(DOTENV_BLOCK_START);
  if (start < 0) return {};
  const end = dotenv.indexOf(DOTENV_BLOCK_END, start);
  return composeEnvironment(dotenv.slice(start, end < 0 ? undefined : end));
}

export interface InstanceInput {
  slot: number;
  /** The stack's Compose project name as committed (without the slot). */
  baseName: string;
  /** The generated compose file (with `${HSM_PORT_…}` references). */
  composeText: string | null;
  /** `.env` as the plan leaves it (null: none). */
  dotenv: string | null;
  /** The raw definitions (before options), by component name, and the configured stack. */
  resolved: ResolvedComponent[];
  configured: ConfiguredComponent[];
  /** Host ports known to be in use on this machine (by something other than this checkout's stack). */
  inUse?: ReadonlySet<number>;
}

export interface InstancePlan {
  slot: number;
  projectName: string;
  ports: InstancePort[];
  /** `.env` after (equal to `dotenv` when nothing changes). */
  dotenv: string | null;
  /** `.hsm/env`: hsm.env's settings with this checkout's ports, plus the project name. */
  envFile: string;
}

export function instanceProjectName(baseName: string, slot: number): string {
  return slot === 0 ? baseName : `${baseName}-${slot}`;
}

export function planInstance(input: InstanceInput): InstancePlan {
  const declared = declaredPorts(input.composeText);
  const chosen = instancePorts(
    declared.map((d) => ({ key: d.variable, port: d.declared })),
    input.slot,
    input.inUse,
  );
  const ports = declared.map((d) => ({ ...d, port: chosen[d.variable] }));
  const projectName = instanceProjectName(input.baseName, input.slot);
  const values: Record<string, string> = { COMPOSE_PROJECT_NAME: projectName };
  for (const p of [...ports].sort((a, b) => (a.variable < b.variable ? -1 : 1))) values[p.variable] = String(p.port);
  const dotenv = input.slot === 0 ? withInstanceBlock(input.dotenv, null) : withInstanceBlock(input.dotenv, values);

  // the app's settings: each component's port options moved with the host ports its services publish
  const byComponent = new Map<string, Map<number, number>>();
  for (const p of ports) byComponent.set(p.component, (byComponent.get(p.component) ?? new Map()).set(p.declared, p.port));
  const raw = new Map(input.resolved.map((c) => [c.name, c] as const));
  const moved = input.configured.map((c) => {
    const shift = byComponent.get(c.name);
    const original = raw.get(c.name);
    return shift && original && input.slot !== 0 ? reconfigurePorts(original, c, shift) : c;
  });
  const settings = renderEnvFile(moved);
  const head = [
    `# Written by hsm for this checkout (instance slot ${input.slot}, Compose project ${projectName}); not committed.`,
    '# Use it as `uv run --env-file .hsm/env …`; `hsm env` prints it.',
    `HSM_INSTANCE=${input.slot}`,
    `COMPOSE_PROJECT_NAME=${dotenvValue(projectName)}`,
  ];
  const body = settings === null ? '' : `\n${settings.split('\n').slice(2).join('\n')}`;
  return { slot: input.slot, projectName, ports, dotenv, envFile: `${head.join('\n')}\n${body}` };
}

/** The `.env` Compose reads for this stack: beside the compose files (the workspace root's for a member, issue 9). */
export function instanceDotenvPath(plan: Pick<SyncPlan, 'composeDir'>): string {
  return posix.join(plan.composeDir ?? '', '.env');
}

/**
 * `plan` with this checkout's `.env` (journaled like every other file it writes); `dotenvAsRead` is `.env` as the
 * reader found it. A primary checkout without a block changes nothing.
 */
export function withInstance(plan: SyncPlan, dotenvAsRead: string | null, instance: InstancePlan): SyncPlan {
  const path = instanceDotenvPath(plan);
  const others = plan.changes.filter((c) => c.path !== path);
  const changes = instance.dotenv === dotenvAsRead ? others : [...others, { path, before: dotenvAsRead, after: instance.dotenv }];
  return { ...plan, changes };
}
