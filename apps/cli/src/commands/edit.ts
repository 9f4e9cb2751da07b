/** Commands that edit hsm.yaml / hsm.local.yaml and then sync, all in one transaction (libs/host syncProject). */
import { existsSync } from 'node:fs';
import { HsmError, ErrorCodes, parseComponentRequirement, NAME_RE, Range, didYouMean, findVersions, isCapability, CAPABILITIES, YamlEdit, type Manifest } from '@hsm/core';
import { runProcess, findProjectDir, syncProject, checkoutDir, type LoadedProject, type ProjectEdit, type ProjectEditContext, type SyncOptions } from '@hsm/host';
import type { Command, CommandContext, CommandResult } from '../commands.js';
import { reporter, syncOptions, summarize } from '../pipeline.js';
import { parseAssignment, writeTypedWith } from './set.js';

export const OVERLAY_HEADER = `# Personal hsm settings (git-ignored): dev checkouts and option values for this machine only.\n# Only components.<name>.mode, .path and .with belong here; see \`hsm mode\` and \`hsm set --local\`.\n`;

export function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new HsmError(ErrorCodes.USAGE, `\`${name}\` is not a component name (lowercase letters, digits and dashes)`, { hint: 'find names with `hsm search TEXT`' });
  }
}

export async function editAndSync(ctx: CommandContext, command: string, edit: ProjectEdit, more: Partial<SyncOptions> = {}): Promise<CommandResult> {
  const report = await syncProject(findProjectDir(ctx.cwd), reporter(ctx.out), { ...syncOptions(ctx, command), edit, ...more });
  return {
    data: { written: report.written, added: report.added, removed: report.removed, changed: report.changed, recovered: report.recovered },
    text: summarize(report, ctx.out),
  };
}

/** `groups` as written in hsm.yaml right now (the edit may have changed it since the read). */
function groupsOf(manifest: YamlEdit): Record<string, { policy?: string; use?: string | string[] }> {
  return (manifest.get(['groups']) ?? {}) as Record<string, { policy?: string; use?: string | string[] }>;
}

function inStack(current: Manifest, name: string): boolean {
  if (current.components && name in current.components) return true;
  return Object.values(current.groups ?? {}).some((g) => (Array.isArray(g?.use) ? g.use.includes(name) : g?.use === name));
}

export const add: Command = async (ctx) => {
  const specs = ctx.positionals.map((p) => {
    const { name, range } = parseComponentRequirement(p);
    checkName(name);
    if (p.includes('@') && !Range.safeParse(range).success) {
      throw new HsmError(ErrorCodes.USAGE, `\`${range}\` is not a semver range`, { hint: `e.g. \`hsm add ${name}@^1.4\`` });
    }
    return { name, range: p.includes('@') ? range : undefined };
  });
  const dev = Boolean(ctx.values.dev);
  const path = ctx.values.path as string | undefined;
  if (path && !dev) throw new HsmError(ErrorCodes.USAGE, '--path goes with --dev', { hint: 'hsm add NAME --dev --path ../checkout' });
  if (dev && specs.length !== 1) throw new HsmError(ErrorCodes.USAGE, '--dev takes exactly one component', { hint: 'add the others without --dev' });
  const registry = ctx.values.registry as string | undefined;
  const withPairs = ((ctx.values.with as string[] | undefined) ?? []).map((a) => parseAssignment(a, `add ${specs[0].name} --with`));
  if (withPairs.length && specs.length !== 1) throw new HsmError(ErrorCodes.USAGE, '--with takes exactly one component', { hint: 'add the others without --with, or set their options with `hsm set NAME KEY=VALUE`' });
  const allow = (ctx.values.allow as string[] | undefined) ?? [];
  for (const a of allow) {
    if (!isCapability(a)) throw new HsmError(ErrorCodes.USAGE, `\`${a}\` is not a capability${didYouMean(a, CAPABILITIES)}`, { hint: `one of: ${CAPABILITIES.join(', ')}` });
  }
  if (allow.length && specs.length !== 1) throw new HsmError(ErrorCodes.USAGE, '--allow takes exactly one component', { hint: 'add the others without --allow' });
  const pkg = ctx.values.package as string | undefined;
  return notFoundOnAdd(
    specs.map((s) => s.name),
    () =>
      editAndSync(ctx, 'add', async (edit) => {
        for (const s of specs) {
          if (!(s.name in (edit.current.components ?? {}))) {
            const entry: Record<string, unknown> = {};
            if (s.range) entry.version = s.range;
            if (registry) entry.registry = registry;
            edit.manifest.set(['components', s.name], entry);
          } else {
            if (s.range) edit.manifest.set(['components', s.name, 'version'], s.range);
            if (registry) edit.manifest.set(['components', s.name, 'registry'], registry);
          }
        }
        if (allow.length) {
          const before = (edit.manifest.get(['components', specs[0].name, 'allow']) ?? []) as string[];
          edit.manifest.set(
            ['components', specs[0].name, 'allow'],
            CAPABILITIES.filter((c) => before.includes(c) || allow.includes(c)),
          );
        }
        if (dev) setMode(edit, specs[0].name, 'dev', path, Boolean(ctx.values.shared));
        // the workspace member that gets the Python dependencies (issue 9 item 1); the plan checks the name
        if (pkg !== undefined && edit.current.python?.package !== pkg) edit.manifest.set(['python', 'package'], pkg);
        if (withPairs.length) await writeTypedWith(edit, edit.manifest, specs[0].name, withPairs);
      }),
  );
};

/**
 * A component `hsm add` (or `hsm use`) asked for that no registry has: the resolver speaks of the edited hsm.yaml
 * ("listed in hsm.yaml", "used by group G in hsm.yaml", "`hsm remove X`"), but nothing was written — say so
 * instead (issue 9 item 8).
 */
async function notFoundOnAdd(names: string[], run: () => Promise<CommandResult>): Promise<CommandResult> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof HsmError) || e.code !== ErrorCodes.COMPONENT_NOT_FOUND) throw e;
    const name = names.find((n) => e.message.startsWith(`component ${n} is not in `));
    if (!name) throw e;
    throw new HsmError(e.code, e.message, {
      details: e.details.filter((d) => !d.startsWith('listed in hsm.yaml') && !/^used by group \S+ in hsm\.yaml/.test(d)),
      hint: `\`hsm search ${name}\` lists what the registries offer; nothing was written`,
    });
  }
}

export const remove: Command = async (ctx) => {
  for (const n of ctx.positionals) checkName(n);
  return editAndSync(ctx, 'remove', (edit) => {
    const removed = new Set<string>();
    for (const name of ctx.positionals) {
      if (removed.has(name) || !inStack(edit.current, name)) {
        const known = Object.keys(edit.current.components ?? {}).filter((k) => !removed.has(k));
        throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in hsm.yaml${didYouMean(name, known)}`, { hint: 'see the stack with `hsm status`' });
      }
      edit.manifest.delete(['components', name]);
      removed.add(name);
      if (!edit.current.groups) continue;
      const groups = groupsOf(edit.manifest);
      for (const [g, spec] of Object.entries(groups)) {
        if (Array.isArray(spec?.use) && spec.use.includes(name))
          edit.manifest.set(
            ['groups', g, 'use'],
            spec.use.filter((u) => u !== name),
          );
        // the group's last entry goes with the `groups:` key (as `hsm use` created it): hsm.yaml round-trips
        else if (spec?.use === name) edit.manifest.delete(Object.keys(groups).length === 1 ? ['groups'] : ['groups', g]);
      }
    }
  });
};

function setMode(edit: ProjectEditContext, name: string, mode: 'dev' | 'prod', path: string | undefined, shared: boolean): void {
  if (shared) {
    edit.manifest.set(['components', name, 'mode'], mode);
    if (path) edit.manifest.set(['components', name, 'path'], path);
    if (edit.overlay !== null && edit.overlay.get(['components', name, 'mode']) !== undefined) edit.overlay.delete(['components', name, 'mode']);
    return;
  }
  edit.overlay ??= new YamlEdit(OVERLAY_HEADER);
  edit.overlay.set(['components', name, 'mode'], mode);
  if (path) edit.overlay.set(['components', name, 'path'], path);
}

export const mode: Command = async (ctx) => {
  const [name, m] = ctx.positionals;
  checkName(name);
  if (m !== 'dev' && m !== 'prod') throw new HsmError(ErrorCodes.USAGE, `mode must be \`dev\` or \`prod\`, got \`${m}\``, { hint: `hsm mode ${name} dev --path ../${name}` });
  const shared = Boolean(ctx.values.shared);
  const path = ctx.values.path as string | undefined;
  // the checkout is made inside the lock, from the one resolve of this command
  return editAndSync(ctx, 'mode', (edit) => setMode(edit, name, m, path, shared), m === 'dev' ? { beforePlan: (p) => ensureCheckout(ctx, p, name) } : {});
};

/** SPEC §6.4: an existing directory is used as is; otherwise clone python.source.git at its ref. Never deletes. */
async function ensureCheckout(ctx: CommandContext, project: LoadedProject, name: string): Promise<void> {
  const c = project.resolution.components.find((x) => x.name === name);
  if (!c) {
    throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in the stack`, { hint: `add it first: \`hsm add ${name} --dev --path <checkout>\`` });
  }
  const target = checkoutDir(project.dir, c);
  if (existsSync(target)) return;
  const git = c.definition.python?.source?.git;
  if (!git) {
    throw new HsmError(ErrorCodes.CHECKOUT_MISSING, `no checkout of ${name} at ${c.checkout}, and its definition names no git source to clone`, {
      hint: `clone it yourself and run \`hsm mode ${name} dev --path <checkout>\``,
    });
  }
  const ref = c.definition.python?.source?.ref;
  const done = ctx.out.step(`Cloning ${git}${ref ? ` (${ref})` : ''} into ${c.checkout}`);
  try {
    await runProcess(['git', 'clone', '--quiet', ...(ref ? ['--branch', ref] : []), '--', git, target], { errorCode: ErrorCodes.GIT_FAILED, hint: `clone it yourself and run \`hsm mode ${name} dev --path <checkout>\`` });
  } finally {
    done();
  }
}

export const use: Command = async (ctx) => {
  const [group, ...names] = ctx.positionals;
  checkName(group);
  for (const n of names) checkName(n);
  return notFoundOnAdd(names, () =>
    editAndSync(ctx, 'use', async (edit) => {
      // the group owns its interface: a provider listed under `components` would be a second implementation,
      // so swapping is one command — the replaced provider leaves `components` too
      const registries = await edit.registries();
      const replaced = Object.keys(edit.current.components ?? {}).filter((n) => !names.includes(n) && findVersions(registries, n).some((f) => f.entries.some((e) => (e.definition.provides ?? []).includes(group))));
      for (const r of replaced) {
        ctx.out.log(`removing ${r} from components: it provided ${group}, now chosen by the group`);
        edit.manifest.delete(['components', r]);
      }
      const existing = edit.current.groups?.[group];
      if (existing?.policy === 'one' || (existing === undefined && names.length === 1)) {
        if (names.length !== 1) {
          throw new HsmError(ErrorCodes.GROUP_INVALID, `group \`${group}\` takes exactly one implementation (policy: one), got ${names.length}`, {
            hint: `pick one: \`hsm use ${group} ${names[0]}\`, or set \`policy: many\` in hsm.yaml`,
          });
        }
        if (existing === undefined) edit.manifest.set(['groups', group], { policy: 'one', use: names[0] });
        else edit.manifest.set(['groups', group, 'use'], names[0]);
      } else if (existing === undefined) edit.manifest.set(['groups', group], { policy: 'many', use: names });
      else edit.manifest.set(['groups', group, 'use'], names);
    }),
  );
};
