/** The command table: options, arity and a lazy loader per command, so start-up loads only what runs. */
import type { ParseArgsConfig } from 'node:util';
import type { Output } from './output.js';

export interface CommandContext {
  cwd: string;
  out: Output;
  values: Record<string, unknown>;
  positionals: string[];
  waitSeconds: number;
}
export interface CommandResult {
  data?: unknown;
  text?: string;
  exitCode?: number;
}
export type Command = (ctx: CommandContext) => Promise<CommandResult>;
export interface CommandSpec {
  summary: string;
  usage: string;
  help?: string;
  arity: [number, number];
  options: NonNullable<ParseArgsConfig['options']>;
  load(): Promise<Command>;
}

const syncOptions = {
  'dry-run': { type: 'boolean' },
  check: { type: 'boolean' },
  frozen: { type: 'boolean' },
  offline: { type: 'boolean' },
  upgrade: { type: 'boolean' },
  'upgrade-component': { type: 'string', multiple: true },
  'no-install': { type: 'boolean' },
} as const;

export const COMMANDS: Record<string, CommandSpec> = {
  init: {
    summary: 'write a starter hsm.yaml from the current project',
    usage: 'init [--force] [--name NAME]',
    arity: [0, 0],
    options: { force: { type: 'boolean' }, name: { type: 'string' } },
    load: async () => (await import('./commands/init.js')).init,
  },
  add: {
    summary: 'add components to the stack and sync',
    usage: 'add NAME[@RANGE]... [--dev [--path P]] [--registry R] [--no-sync]',
    arity: [1, Infinity],
    options: { dev: { type: 'boolean' }, path: { type: 'string' }, registry: { type: 'string' }, 'no-sync': { type: 'boolean' }, shared: { type: 'boolean' }, ...syncOptions },
    load: async () => (await import('./commands/edit.js')).add,
  },
  remove: {
    summary: 'remove components from the stack and sync',
    usage: 'remove NAME... [--no-sync]',
    arity: [1, Infinity],
    options: { 'no-sync': { type: 'boolean' }, ...syncOptions },
    load: async () => (await import('./commands/edit.js')).remove,
  },
  mode: {
    summary: 'switch a component between its release (prod) and a local checkout (dev)',
    usage: 'mode NAME dev|prod [--path P] [--shared] [--no-sync]',
    help: 'Writes hsm.local.yaml (personal, git-ignored) unless --shared is given, which writes hsm.yaml.',
    arity: [2, 2],
    options: { path: { type: 'string' }, shared: { type: 'boolean' }, 'no-sync': { type: 'boolean' }, ...syncOptions },
    load: async () => (await import('./commands/edit.js')).mode,
  },
  use: {
    summary: 'choose the implementation(s) of an interface group',
    usage: 'use GROUP NAME... [--no-sync]',
    arity: [2, Infinity],
    options: { 'no-sync': { type: 'boolean' }, ...syncOptions },
    load: async () => (await import('./commands/edit.js')).use,
  },
  sync: {
    summary: 'make pyproject.toml, uv.lock and docker-compose.hsm.yml match hsm.yaml',
    usage: 'sync [--dry-run|--check] [--frozen] [--offline] [--upgrade] [--upgrade-component NAME] [--no-install]',
    arity: [0, 0],
    options: { ...syncOptions },
    load: async () => (await import('./commands/sync.js')).sync,
  },
  plan: {
    summary: 'show what `hsm sync` would change (unified diff), changing nothing',
    usage: 'plan [--upgrade]',
    arity: [0, 0],
    options: { ...syncOptions },
    load: async () => (await import('./commands/sync.js')).plan,
  },
  status: {
    summary: 'show the stack: components, versions, modes, and whether artifacts are in sync',
    usage: 'status',
    arity: [0, 0],
    options: {},
    load: async () => (await import('./commands/inspect.js')).status,
  },
  why: {
    summary: 'explain why a component is in the stack',
    usage: 'why NAME',
    arity: [1, 1],
    options: {},
    load: async () => (await import('./commands/inspect.js')).why,
  },
  graph: {
    summary: 'draw the resolved stack: Mermaid (default), DOT, JSON, or SVG with --output stack.svg',
    usage: 'graph [--format mermaid|dot|json|svg] [--output FILE] [--offline]',
    help: 'Components (version, dev/prod), the interface groups they fill (clusters), Compose services with host ports,\n`requires` edges; Python-only components are marked. Same stack → same bytes.\nThe format follows --output\'s extension (.svg, .dot, .json, .mmd) unless --format is given.',
    arity: [0, 0],
    options: { format: { type: 'string' }, output: { type: 'string', short: 'o' }, offline: { type: 'boolean' } },
    load: async () => (await import('./commands/graph.js')).graph,
  },
  search: {
    summary: 'search the registries for components',
    usage: 'search TEXT',
    arity: [0, 1],
    options: { provides: { type: 'string' } },
    load: async () => (await import('./commands/inspect.js')).search,
  },
  info: {
    summary: 'show a component definition',
    usage: 'info NAME[@VERSION]',
    arity: [1, 1],
    options: {},
    load: async () => (await import('./commands/inspect.js')).info,
  },
  up: {
    summary: 'docker compose up -d for the stack (or the named services)',
    usage: 'up [SERVICE...]',
    arity: [0, Infinity],
    options: {},
    load: async () => (await import('./commands/compose.js')).up,
  },
  down: {
    summary: 'docker compose down for the stack',
    usage: 'down [--volumes]',
    arity: [0, 0],
    options: { volumes: { type: 'boolean' } },
    load: async () => (await import('./commands/compose.js')).down,
  },
  ps: {
    summary: 'docker compose ps for the stack',
    usage: 'ps',
    arity: [0, 0],
    options: {},
    load: async () => (await import('./commands/compose.js')).ps,
  },
  logs: {
    summary: 'docker compose logs for the stack',
    usage: 'logs [-f] [SERVICE...]',
    arity: [0, Infinity],
    options: { follow: { type: 'boolean', short: 'f' } },
    load: async () => (await import('./commands/compose.js')).logs,
  },
  doctor: {
    summary: 'check uv, Docker and Compose and say what is missing',
    usage: 'doctor',
    arity: [0, 0],
    options: {},
    load: async () => (await import('./commands/doctor.js')).doctor,
  },
  login: {
    summary: 'store a token for a registry service (read from stdin or a prompt)',
    usage: 'login REGISTRY [--no-verify]',
    help: 'REGISTRY is a registry name from hsm.yaml or its URL. The token is stored 0600 in $XDG_CONFIG_HOME/hsm/credentials.json;\nHSM_TOKEN_<NAME> (name upper-cased, - → _) takes precedence over it.',
    arity: [1, 1],
    options: { 'no-verify': { type: 'boolean' } },
    load: async () => (await import('./commands/login.js')).login,
  },
  publish: {
    summary: 'publish a definition file or a folder registry to a registry service',
    usage: 'publish PATH --registry R',
    help: 'Every definition is validated locally first; the service answers 201 (new), 200 (same bytes again) or an error with its code.',
    arity: [1, 1],
    options: { registry: { type: 'string' } },
    load: async () => (await import('./commands/publish.js')).publish,
  },
};
