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
  refresh: { type: 'boolean' },
  'upgrade-component': { type: 'string', multiple: true },
  'no-install': { type: 'boolean' },
  'no-port-check': { type: 'boolean' },
} as const;

export const COMMANDS: Record<string, CommandSpec> = {
  init: {
    summary: 'write a starter hsm.yaml from the current project',
    usage: 'init [--force] [--name NAME] [--package MEMBER]',
    help: '--package MEMBER (at a uv workspace root): the member whose pyproject.toml gets the Python dependencies, by its\nproject name as in `uv add --package`; written to hsm.yaml as `python: { package: MEMBER }`.',
    arity: [0, 0],
    options: { force: { type: 'boolean' }, name: { type: 'string' }, package: { type: 'string' } },
    load: async () => (await import('./commands/init.js')).init,
  },
  add: {
    summary: 'add components to the stack and sync',
    usage: 'add NAME[@RANGE]... [--dev [--path P]] [--registry R] [--with KEY=VALUE]... [--allow CAP]... [--package MEMBER] [--no-sync]',
    help: '--package MEMBER (at a uv workspace root) writes python.package in hsm.yaml: the member whose pyproject.toml gets the\nPython dependencies, by its project name as in `uv add --package`.\n--allow CAP writes components.NAME.allow in hsm.yaml: a capability the definition may use (see `hsm info NAME`):\nprivileged, cap-add, devices, host-namespaces, no-confinement, host-mounts, docker-socket, public-ports.',
    arity: [1, Infinity],
    options: {
      with: { type: 'string', multiple: true },
      dev: { type: 'boolean' },
      path: { type: 'string' },
      registry: { type: 'string' },
      allow: { type: 'string', multiple: true },
      package: { type: 'string' },
      'no-sync': { type: 'boolean' },
      shared: { type: 'boolean' },
      ...syncOptions,
    },
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
  set: {
    summary: "set a component's options (components.NAME.with) and sync",
    usage: 'set NAME KEY=VALUE... [--local] [--no-sync] | set NAME KEY... --unset [--local]',
    help: "Writes hsm.yaml (shared with the team) unless --local is given, which writes hsm.local.yaml (this machine only;\nits values win over hsm.yaml's). `hsm info NAME` lists the options, their types and allowed values.",
    arity: [2, Infinity],
    options: { local: { type: 'boolean' }, unset: { type: 'boolean' }, 'no-sync': { type: 'boolean' }, ...syncOptions },
    load: async () => (await import('./commands/set.js')).set,
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
    usage: 'sync [--dry-run|--check] [--frozen] [--offline] [--refresh] [--upgrade] [--upgrade-component NAME] [--no-install]',
    help: 'Locked versions whose documents are in the cache are used without asking the registry service (they are immutable and\npinned by digest); --refresh revalidates them (so does --upgrade). `hsm outdated` shows yanked and newer versions.',
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
    usage: 'status [--refresh]',
    help: '--refresh asks the registry services again: locked versions are revalidated and a yanked one is reported.',
    arity: [0, 0],
    options: { refresh: { type: 'boolean' } },
    load: async () => (await import('./commands/inspect.js')).status,
  },
  outdated: {
    summary: 'show locked versions against the newest the ranges allow and the newest overall (and yanked ones)',
    usage: 'outdated [--json]',
    help: 'One batch request per registry service; `--json` for the table as data.',
    arity: [0, 0],
    options: {},
    load: async () => (await import('./commands/outdated.js')).outdated,
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
    help: "Components (version, dev/prod), the interface groups they fill (clusters), Compose services with host ports,\n`requires` edges; Python-only components are marked. Same stack → same bytes.\nThe format follows --output's extension (.svg, .dot, .json, .mmd) unless --format is given.",
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
    summary: 'show a component definition and the capabilities it needs allowed',
    usage: 'info NAME[@VERSION]',
    arity: [1, 1],
    options: {},
    load: async () => (await import('./commands/inspect.js')).info,
  },
  up: {
    summary: 'docker compose up -d for the stack (or the named services), then wait until it is ready',
    usage: 'up [SERVICE...] [--timeout SECONDS | --detach-only]',
    help: 'Waits until every service with a healthcheck is healthy, every other one is running and one-shot services\nhave exited 0; exit 1 naming the service that exited, turned unhealthy or was not ready in time.\n  --timeout SECONDS  how long to wait for readiness after the containers start (default 120)\n  --detach-only      return as soon as the containers are started, without waiting\n(The global --wait SECONDS is something else: how long to wait for another hsm holding the project lock.)',
    arity: [0, Infinity],
    options: { timeout: { type: 'string' }, 'detach-only': { type: 'boolean' } },
    load: async () => (await import('./commands/compose.js')).up,
  },
  ports: {
    summary: "this checkout's host ports: service → container port → host port",
    usage: 'ports [--json]',
    help: 'A second worktree of the project runs its own instance (`hsm instance`): its host ports are shifted so they never clash.',
    arity: [0, 0],
    options: {},
    load: async () => (await import('./commands/instance.js')).ports,
  },
  env: {
    summary: 'print this checkout\'s connection settings (eval "$(hsm env)", or --json)',
    usage: 'env [--json]',
    help: 'The same values as .hsm/env, which hsm sync writes in every checkout: `uv run --env-file .hsm/env …`.',
    arity: [0, 0],
    options: {},
    load: async () => (await import('./commands/instance.js')).env,
  },
  instance: {
    summary: "show or set this checkout's instance slot (its own Compose project and host ports)",
    usage: 'instance [N | --primary]',
    help: 'The main worktree is slot 0 (declared ports, the committed project name). Another worktree gets the lowest free\nslot 1-9 on its first sync, kept in .hsm/instance.json; `hsm instance N` moves it, --primary makes it share slot 0.',
    arity: [0, 1],
    options: { primary: { type: 'boolean' }, ...syncOptions },
    load: async () => (await import('./commands/instance.js')).instance,
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
  cache: {
    summary: 'show the size of the registry cache, or empty it (`hsm cache clean`)',
    usage: 'cache [info|clean]',
    help: 'The cache ($XDG_CACHE_HOME/hsm) keeps version documents fetched from registry services (immutable, kept until cleaned)\nand parsed folder registries; hsm fills it again on demand.',
    arity: [0, 1],
    options: {},
    load: async () => (await import('./commands/cache.js')).cache,
  },
  publish: {
    summary: 'publish a definition file or a folder registry to a registry service',
    usage: 'publish PATH --registry R',
    help: 'Every definition is validated locally first; the service answers 201 (new), 200 (same bytes again) or an error with its code.',
    arity: [1, 1],
    options: { registry: { type: 'string' } },
    load: async () => (await import('./commands/publish.js')).publish,
  },
  completion: {
    summary: 'print a shell completion script (bash, zsh, fish)',
    usage: 'completion bash|zsh|fish',
    help: 'bash:  eval "$(hsm completion bash)"        (in ~/.bashrc)\nzsh:   source <(hsm completion zsh)         (in ~/.zshrc, after compinit)\nfish:  hsm completion fish | source         (or save it as ~/.config/fish/completions/hsm.fish)\nCompletes commands, flags, component names (offline: built-in catalog, folder registries, the registry cache) and group names.',
    arity: [1, Infinity],
    options: {},
    load: async () => (await import('./commands/completion.js')).completion,
  },
};
