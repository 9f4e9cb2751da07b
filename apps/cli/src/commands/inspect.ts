/** Read-only commands: status, why, search, info. */
import { stringify } from 'yaml';
import semver from 'semver';
import {
  HsmError,
  ErrorCodes,
  explainWhy,
  searchCatalog,
  findVersions,
  parseComponentRequirement,
  didYouMean,
  parseManifest,
  allowedValues,
  definitionFindings,
  definitionCapabilities,
  type CatalogEntry,
  type ComponentDefinition,
} from '@hsm/core';
import { findProjectDir, readManifestText, loadRegistries, syncProject, inspectProject, MANIFEST, type LoadedRegistry } from '@hsm/host';
import type { Command, CommandContext } from '../commands.js';
import { builtinRegistry } from '../catalog.js';
import { reporter, syncOptions, resolutionJson, folderCache } from '../pipeline.js';
import { bundledSchemaDir } from '../schema-dir.js';

/** Registries of the project around cwd, or the built-in catalog alone outside a project. */
async function registriesFor(ctx: CommandContext): Promise<LoadedRegistry[]> {
  let dir: string;
  try {
    dir = findProjectDir(ctx.cwd);
  } catch (e) {
    if (e instanceof HsmError && e.code === ErrorCodes.MANIFEST_NOT_FOUND) return [{ snapshot: builtinRegistry() }];
    throw e;
  }
  const { manifest } = parseManifest(await readManifestText(dir, bundledSchemaDir()), MANIFEST);
  return loadRegistries(dir, manifest, { log: (m) => ctx.out.debug(m), builtin: builtinRegistry, folderCache: folderCache() });
}

export const status: Command = async (ctx) => {
  // the same call as `hsm sync --check`: the two cannot disagree (`--refresh` reaches `syncOptions`)
  const refresh = Boolean(ctx.values.refresh);
  const report = await syncProject(findProjectDir(ctx.cwd), reporter(ctx.out), syncOptions(ctx, 'status'));
  const { project, plan } = report;
  const { resolution } = plan;
  const remotes = project.registries.flatMap((r) => (r.remote ? [r.remote] : []));
  const drift = plan.changes.map((c) => c.path);
  const notes = [...plan.notes];
  // --refresh: a locked version yanked on its registry service since (a sync does not look for that)
  if (refresh) {
    const yanked = await Promise.all(
      remotes.map(async (remote) => {
        const locked = resolution.components.filter((c) => c.registry === remote.name && project.lock?.components[c.name]?.version === c.version);
        if (locked.length === 0) return [];
        return (await remote.outdated(locked.map((c) => ({ name: c.name, range: '*', locked: c.version })))).filter((r) => r.yanked);
      }),
    );
    for (const r of yanked.flat()) notes.push(`${r.name} ${r.locked} is yanked in its registry: move off it with \`hsm sync --upgrade-component ${r.name}\` (see \`hsm outdated\`)`);
  }
  const s = ctx.out.style;
  const rows = resolution.components.map((c) => {
    const kinds = [c.definition.python ? `python:${c.definition.python.package}` : null, ...Object.keys(c.definition.services ?? {}).map((n) => `service:${n}`)].filter(Boolean);
    return [c.name, c.version, c.mode === 'dev' ? s.yellow(`dev (${c.checkout})`) : 'prod', c.registry, kinds.join(' ')];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => stripAnsi(r[i]).length), 4));
  const table = rows.map((r) => r.map((cell, i) => (i < 4 ? cell + ' '.repeat(widths[i] - stripAnsi(cell).length) : cell)).join('  '));
  const { instance } = report;
  const lines = [
    `${s.bold(project.manifest.name)} — ${resolution.components.length} component${resolution.components.length === 1 ? '' : 's'} · instance ${instance.slot}${instance.slot === 0 ? ' (primary)' : ''} · Compose project ${instance.projectName}`,
    ...table,
  ];
  // option values that differ from the defaults, and the file that set them (secrets are never values here)
  const options: Record<string, Record<string, unknown>> = {};
  for (const c of plan.configured) {
    const changed = Object.entries(c.options.changed);
    if (changed.length === 0) continue;
    options[c.name] = Object.fromEntries(changed.map(([k, v]) => [k, v.value]));
    lines.push(`  ${c.name} with ${changed.map(([k, v]) => `${k}=${JSON.stringify(v.value)}${v.file === 'hsm.yaml' ? '' : s.dim(` (${v.file})`)}`).join(', ')}`);
  }
  lines.push(drift.length ? s.yellow(`out of sync: ${drift.join(', ')} — run \`hsm sync\``) : s.green('artifacts in sync with hsm.yaml'));
  for (const n of notes) lines.push(s.yellow(`note: ${n}`));
  return { data: { name: project.manifest.name, instance: { slot: report.instance.slot, project: report.instance.projectName }, components: resolutionJson(resolution), options, drift, notes }, text: lines.join('\n') };
};

function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

export const why: Command = async (ctx) => {
  const { resolution } = await inspectProject(findProjectDir(ctx.cwd), reporter(ctx.out), {
    command: 'why',
    waitSeconds: ctx.waitSeconds,
    builtin: builtinRegistry,
    folderCache: folderCache(),
    schemaDir: bundledSchemaDir(),
  });
  const name = ctx.positionals[0];
  if (!resolution.components.some((c) => c.name === name)) {
    throw new HsmError(
      ErrorCodes.COMPONENT_NOT_FOUND,
      `\`${name}\` is not in the stack${didYouMean(
        name,
        resolution.components.map((c) => c.name),
      )}`,
      { hint: 'see the stack with `hsm status`' },
    );
  }
  const lines = explainWhy(resolution, name);
  return { data: { name, reasons: resolution.components.find((c) => c.name === name)!.reasons, lines }, text: lines.join('\n') };
};

interface SearchHit {
  name: string;
  /** Newest version (registry services list names only: see `hsm info NAME`). */
  version?: string;
  registry: string;
  description: string;
  provides: string[];
}

/** Every registry in search order (services asked in parallel); a name is shown from the first that has it. */
export const search: Command = async (ctx) => {
  const registries = await registriesFor(ctx);
  const text = ctx.positionals[0] ?? '';
  const provides = ctx.values.provides as string | undefined;
  const perRegistry = await Promise.all(
    registries.map(async (r): Promise<SearchHit[]> => {
      if (r.remote) return r.remote.search(text, provides);
      const hits = searchCatalog([r.snapshot], text).map((h) => ({ ...h, description: h.description ?? '', provides: h.provides ?? [] }));
      return provides ? hits.filter((h) => h.provides.includes(provides)) : hits;
    }),
  );
  const needle = text.trim().toLowerCase();
  const rank = (h: SearchHit) => (needle === '' || h.name === needle ? 0 : h.name.includes(needle) ? 1 : 2);
  const seen = new Set<string>();
  const hits = perRegistry
    .flat()
    .filter((h) => !seen.has(h.name) && Boolean(seen.add(h.name)))
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const s = ctx.out.style;
  const lines = hits.map((h) => `${s.bold(h.name)}${h.version ? ` ${h.version}` : ''}  ${s.dim(`[${h.registry}]`)}${h.provides.length ? s.cyan(` provides ${h.provides.join(', ')}`) : ''}\n    ${h.description}`);
  return { data: hits, text: lines.length ? lines.join('\n') : `no component matches \`${text}\`` };
};

interface InfoVersions {
  registry: string;
  versions: Array<{ version: string; yanked: boolean }>;
  entry(version: string): Promise<CatalogEntry | null>;
}

/** The first registry in search order that has `name`: its versions, and a way to get one definition. */
async function firstWith(registries: LoadedRegistry[], name: string): Promise<InfoVersions | null> {
  for (const r of registries) {
    if (r.remote) {
      const remote = r.remote;
      const doc = await remote.component(name);
      if (doc?.versions.length) return { registry: remote.name, versions: doc.versions, entry: (v) => remote.version(name, v) };
      continue;
    }
    const found = findVersions([r.snapshot], name)[0];
    if (found?.entries.length) return { registry: found.registry, versions: found.entries, entry: async (v) => found.entries.find((e) => e.version === v) ?? null };
  }
  return null;
}

export const info: Command = async (ctx) => {
  const registries = await registriesFor(ctx);
  const arg = ctx.positionals[0];
  const { name, range } = parseComponentRequirement(arg);
  const first = await firstWith(registries, name);
  if (!first) {
    const known = registries.flatMap((r) => [...r.snapshot.components.keys()]);
    throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `no component \`${name}\` in any registry${didYouMean(name, known)}`, { hint: 'search with `hsm search TEXT`' });
  }
  const exact = arg.includes('@') && semver.valid(range);
  const sorted = [...first.versions].sort((a, b) => semver.rcompare(a.version, b.version));
  const chosen = sorted.find((e) => (exact ? e.version === range : semver.satisfies(e.version, range) && !e.yanked));
  if (!chosen) throw new HsmError(ErrorCodes.UNSATISFIABLE, `no version of ${name} matches \`${range}\` in registry ${first.registry}`, { hint: `available: ${sorted.map((e) => e.version).join(', ')}` });
  const entry = await first.entry(chosen.version);
  if (!entry) throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `registry ${first.registry} lists ${name} ${chosen.version} but does not serve it`, { hint: 'try again later or ask the registry operator' });
  const versions = sorted.map((e) => `${e.version}${e.yanked ? ' (yanked)' : ''}`);
  const findings = definitionFindings(entry.definition);
  const capabilities = definitionCapabilities(entry.definition);
  const needs = capabilities.length
    ? [`# needs allow: ${capabilities.join(', ')} — \`hsm add ${name} ${capabilities.map((c) => `--allow ${c}`).join(' ')}\``, ...findings.map((f) => `#   ${f.capability}: ${f.what} (${f.path.join('.')})`)]
    : ['# needs allow: nothing'];
  const text = [
    `# ${name} ${entry.version} from registry \`${first.registry}\``,
    `# digest: ${entry.digest}`,
    `# versions: ${versions.join(', ')}`,
    ...needs,
    ...optionsTable(entry.definition),
    stringify(entry.definition).trimEnd(),
  ].join('\n');
  return { data: { registry: first.registry, version: entry.version, digest: entry.digest, versions, capabilities, definition: entry.definition }, text };
};

/** `hsm info`'s options table (name, type, default, allowed, description), as comment lines above the definition. */
function optionsTable(d: ComponentDefinition): string[] {
  const entries = Object.entries(d.options ?? {});
  if (entries.length === 0) return [];
  const rows = [
    ['option', 'type', 'default', 'allowed', 'description'],
    ...entries.map(([n, o]) => [n, o.secret ? `${o.type} (secret)` : o.type, o.secret ? `$${o.env}` : o.default === undefined ? '(required)' : String(o.default), allowedValues(o), o.description ?? '']),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const set = `# set with: hsm set ${d.name} KEY=VALUE [--local]  (or components.${d.name}.with in hsm.yaml)`;
  return [
    '# options:',
    ...rows.map(
      (r) =>
        `#   ${r
          .map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell))
          .join('  ')
          .trimEnd()}`,
    ),
    set,
  ];
}
