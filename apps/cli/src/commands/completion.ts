/**
 * `hsm completion bash|zsh|fish` prints a completion script (completion-scripts.ts); the script calls
 * `hsm completion complete -- WORD…` on every TAB, which answers here from the command table and, for names, from
 * the project's registries — offline: the built-in catalog, folder registries, and what the cache of each
 * registry service holds. Never fails loudly: a shell completion that prints errors is worse than none.
 */
import { join, resolve } from 'node:path';
import { HsmError, ErrorCodes, parseManifest, type Manifest } from '@hsm/core';
import { findProjectDir, readOptional, loadRegistries, MANIFEST, type LoadedRegistry } from '@hsm/host';
import { COMMANDS, type Command } from '../commands.js';
import { GLOBAL_OPTIONS } from '../run.js';
import { builtinRegistry } from '../catalog.js';
import { SHELLS, completionScript, type Shell } from '../completion-scripts.js';

type Kind = 'components' | 'stack' | 'modes' | 'groups' | 'providers' | 'registries' | 'files' | 'shells';
/** What each positional of a command names; the last kind repeats for commands that take many. */
const POSITIONALS: Record<string, Kind[]> = {
  add: ['components'],
  remove: ['stack'],
  mode: ['stack', 'modes'],
  use: ['groups', 'providers'],
  why: ['stack'],
  info: ['components'],
  login: ['registries'],
  publish: ['files'],
  completion: ['shells'],
};
const VALUES: Record<string, Kind | ':dirs' | null> = { C: ':dirs', path: ':dirs', registry: 'registries', 'upgrade-component': 'stack' };

export const completion: Command = async (ctx) => {
  const [what, ...words] = ctx.positionals;
  if (what === 'complete') {
    const found = await candidates(words, ctx.cwd).catch(() => [] as string[]);
    return { data: found, text: found.join('\n') };
  }
  if (!(SHELLS as readonly string[]).includes(what) || words.length) {
    throw new HsmError(ErrorCodes.USAGE, `\`hsm completion\` takes one shell: ${SHELLS.join(', ')}`, { hint: 'e.g. `eval "$(hsm completion bash)"`; see `hsm completion --help`' });
  }
  const script = completionScript(what as Shell);
  return { data: { shell: what, script }, text: script };
};

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

function optionsOf(command: string | undefined): Record<string, OptionSpec> {
  return { ...GLOBAL_OPTIONS, ...(command && COMMANDS[command] ? COMMANDS[command].options : {}) } as Record<string, OptionSpec>;
}

/** The option a word names (`--registry`, `-C`, `--registry=x`), by its long name. */
function optionNamed(word: string, options: Record<string, OptionSpec>): string | undefined {
  if (word.startsWith('--')) return word.slice(2).split('=')[0];
  return Object.entries(options).find(([, o]) => o.short === word.slice(1))?.[0];
}

/** Candidates for the last word, given the words before it (everything after `hsm`). */
async function candidates(words: string[], cwd: string): Promise<string[]> {
  const partial = words.at(-1) ?? '';
  let command: string | undefined;
  const args: string[] = [];
  let awaiting: string | undefined;
  for (const w of words.slice(0, -1)) {
    if (awaiting) {
      if (awaiting === 'C') cwd = resolve(cwd, w);
      awaiting = undefined;
    } else if (w.startsWith('-') && w !== '-') {
      const name = optionNamed(w, optionsOf(command));
      if (name && optionsOf(command)[name]?.type === 'string' && !w.includes('=')) awaiting = name;
    } else if (command === undefined) command = w;
    else args.push(w);
  }
  const names = new Names(cwd);
  const pick = (list: Iterable<string>) => [...new Set(list)].filter((c) => c.startsWith(partial)).sort();
  if (awaiting) {
    const kind = VALUES[awaiting];
    if (kind === ':dirs') return [':dirs'];
    return kind ? pick(await names.of(kind, [])) : [];
  }
  if (partial.startsWith('-')) {
    const options = optionsOf(command);
    return pick(Object.entries(options).flatMap(([long, o]) => [long.length === 1 ? `-${long}` : `--${long}`, ...(o.short && long.length > 1 ? [`-${o.short}`] : [])]));
  }
  if (command === undefined) return pick(Object.keys(COMMANDS));
  const kinds = POSITIONALS[command];
  if (!kinds || !COMMANDS[command] || args.length >= COMMANDS[command].arity[1]) return [];
  const kind = kinds[Math.min(args.length, kinds.length - 1)];
  if (kind === 'files') return [':files'];
  return pick(await names.of(kind, args));
}

/** Names from the project around `cwd` (or the built-in catalog alone), loaded once and only when asked for. */
class Names {
  private project?: Promise<{ manifest: Manifest | null; registries: LoadedRegistry[] }>;
  constructor(private readonly cwd: string) {}

  private load() {
    return (this.project ??= (async () => {
      let dir: string;
      try {
        dir = findProjectDir(this.cwd);
      } catch {
        return { manifest: null, registries: [{ snapshot: builtinRegistry() }] as LoadedRegistry[] };
      }
      const { manifest } = parseManifest((await readOptional(join(dir, MANIFEST))) ?? '', MANIFEST);
      const registries: LoadedRegistry[] = await loadRegistries(dir, manifest, { offline: true, builtin: builtinRegistry }).catch(() => (manifest.builtin === false ? [] : [{ snapshot: builtinRegistry() }]));
      return { manifest, registries };
    })());
  }

  async of(kind: Kind, args: string[]): Promise<string[]> {
    if (kind === 'modes') return ['dev', 'prod'];
    if (kind === 'shells') return [...SHELLS];
    if (kind === 'files') return [];
    const { manifest, registries } = await this.load();
    const stack = Object.keys(manifest?.components ?? {});
    if (kind === 'stack') return stack;
    if (kind === 'registries') return (manifest?.registries ?? []).map((r) => r.name);
    const all = new Map<string, Set<string>>(); // component → interfaces it provides
    for (const r of registries) {
      for (const [name, entries] of r.snapshot.components) {
        const provides = all.get(name) ?? new Set<string>();
        for (const e of entries) for (const i of e.definition.provides ?? []) provides.add(i);
        all.set(name, provides);
      }
      for (const name of (await r.remote?.cache.names()) ?? []) if (!all.has(name)) all.set(name, new Set());
    }
    if (kind === 'components') return [...all.keys(), ...stack];
    if (kind === 'groups') return [...Object.keys(manifest?.groups ?? {}), ...registries.flatMap((r) => [...r.snapshot.interfaces.keys()]), ...[...all.values()].flatMap((s) => [...s])];
    const group = args[0];
    const providers = [...all].filter(([, s]) => s.has(group)).map(([n]) => n);
    return providers.length ? providers : [...all.keys()];
  }
}
