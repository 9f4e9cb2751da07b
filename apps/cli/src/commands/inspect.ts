/** Read-only commands: status, why, search, info. */
import { stringify } from 'yaml';
import semver from 'semver';
import { HsmError, ErrorCodes, explainWhy, searchCatalog, findVersions, parseComponentRequirement, didYouMean, planSync, type RegistrySnapshot } from '@hsm/core';
import { existsSync } from 'node:fs';
import type { Command, CommandContext } from '../commands.js';
import { findProjectDir, readProjectFiles, parseProject, loadRegistries, builtinRegistry, checkoutDir } from '../project.js';
import { resolveProject, resolutionJson, recoverIfInterrupted } from '../sync-engine.js';

/** Registries of the project around cwd, or the built-in catalog alone outside a project. */
async function registriesFor(ctx: CommandContext): Promise<RegistrySnapshot[]> {
  let dir: string;
  try {
    dir = findProjectDir(ctx.cwd);
  } catch (e) {
    if (e instanceof HsmError && e.code === ErrorCodes.MANIFEST_NOT_FOUND) return [builtinRegistry()];
    throw e;
  }
  const files = await readProjectFiles(dir);
  return (await loadRegistries(dir, parseProject(dir, files).manifest)).map((r) => r.snapshot);
}

export const status: Command = async (ctx) => {
  const dir = findProjectDir(ctx.cwd);
  await recoverIfInterrupted(dir, ctx.out, ctx.waitSeconds, 'status');
  const { files, project, resolution, manifestText, overlayText } = await resolveProject(dir, ctx.out);
  const plan = planSync({ manifest: project.manifest, manifestText, overlayText, files, resolution, checkoutExists: (c) => existsSync(checkoutDir(dir, c)) });
  const drift = plan.changes.map((c) => c.path);
  const s = ctx.out.style;
  const rows = resolution.components.map((c) => {
    const kinds = [c.definition.python ? `python:${c.definition.python.package}` : null, ...Object.keys(c.definition.services ?? {}).map((n) => `service:${n}`)].filter(Boolean);
    return [c.name, c.version, c.mode === 'dev' ? s.yellow(`dev (${c.checkout})`) : 'prod', c.registry, kinds.join(' ')];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => stripAnsi(r[i]).length), 4));
  const table = rows.map((r) => r.map((cell, i) => (i < 4 ? cell + ' '.repeat(widths[i] - stripAnsi(cell).length) : cell)).join('  '));
  const lines = [`${s.bold(project.manifest.name)} — ${resolution.components.length} component${resolution.components.length === 1 ? '' : 's'}`, ...table];
  lines.push(drift.length ? s.yellow(`out of sync: ${drift.join(', ')} — run \`hsm sync\``) : s.green('artifacts in sync with hsm.yaml'));
  for (const n of plan.notes) lines.push(s.yellow(`note: ${n}`));
  return { data: { name: project.manifest.name, components: resolutionJson(resolution), drift, notes: plan.notes }, text: lines.join('\n') };
};

function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

export const why: Command = async (ctx) => {
  const dir = findProjectDir(ctx.cwd);
  await recoverIfInterrupted(dir, ctx.out, ctx.waitSeconds, 'why');
  const { resolution } = await resolveProject(dir, ctx.out);
  const name = ctx.positionals[0];
  if (!resolution.components.some((c) => c.name === name)) {
    throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in the stack${didYouMean(name, resolution.components.map((c) => c.name))}`, { hint: 'see the stack with `hsm status`' });
  }
  const lines = explainWhy(resolution, name);
  return { data: { name, reasons: resolution.components.find((c) => c.name === name)!.reasons, lines }, text: lines.join('\n') };
};

export const search: Command = async (ctx) => {
  const registries = await registriesFor(ctx);
  const text = ctx.positionals[0] ?? '';
  const provides = ctx.values.provides as string | undefined;
  let hits = searchCatalog(registries, text);
  if (provides) hits = hits.filter((h) => (h.provides ?? []).includes(provides));
  const s = ctx.out.style;
  const lines = hits.map((h) => `${s.bold(h.name)} ${h.version}  ${s.dim(`[${h.registry}]`)}${h.provides?.length ? s.cyan(` provides ${h.provides.join(', ')}`) : ''}\n    ${h.description ?? ''}`);
  return { data: hits, text: lines.length ? lines.join('\n') : `no component matches \`${text}\`` };
};

export const info: Command = async (ctx) => {
  const registries = await registriesFor(ctx);
  const arg = ctx.positionals[0];
  const { name, range } = parseComponentRequirement(arg);
  const found = findVersions(registries, name);
  if (found.length === 0 || found.every((f) => f.entries.length === 0)) {
    const known = registries.flatMap((r) => [...r.components.keys()]);
    throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `no component \`${name}\` in any registry${didYouMean(name, known)}`, { hint: 'search with `hsm search TEXT`' });
  }
  const first = found.find((f) => f.entries.length > 0)!;
  const exact = arg.includes('@') && semver.valid(range);
  const candidates = first.entries
    .filter((e) => (exact ? e.version === range : semver.satisfies(e.version, range) && !e.yanked))
    .sort((a, b) => semver.rcompare(a.version, b.version));
  const entry = candidates[0];
  if (!entry) throw new HsmError(ErrorCodes.UNSATISFIABLE, `no version of ${name} matches \`${range}\` in registry ${first.registry}`, { hint: `available: ${first.entries.map((e) => e.version).join(', ')}` });
  const versions = [...first.entries].sort((a, b) => semver.rcompare(a.version, b.version)).map((e) => `${e.version}${e.yanked ? ' (yanked)' : ''}`);
  const text = [`# ${name} ${entry.version} from registry \`${first.registry}\``, `# digest: ${entry.digest}`, `# versions: ${versions.join(', ')}`, stringify(entry.definition).trimEnd()].join('\n');
  return { data: { registry: first.registry, version: entry.version, digest: entry.digest, versions, definition: entry.definition }, text };
};
