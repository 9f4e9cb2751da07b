/** Commands that edit hsm.yaml / hsm.local.yaml and then sync, all in one transaction. */
import { existsSync } from 'node:fs';
import { HsmError, ErrorCodes, setIn, deleteIn, getIn, parseComponentRequirement, NAME_RE, Range, didYouMean, findVersions } from '@hsm/core';
import { runProcess } from '@hsm/host';
import type { Command, CommandContext, CommandResult } from '../commands.js';
import { findProjectDir, checkoutDir, OVERLAY, readProjectFiles, parseProject, loadRegistries } from '../project.js';
import { syncProject, resolveProject, summarize, type SyncOptions } from '../sync-engine.js';

const OVERLAY_HEADER = `# Personal hsm settings (git-ignored): dev checkouts on this machine only.\n# Only components.<name>.mode and .path belong here; see \`hsm mode\`.\n`;

function syncOptionsFrom(ctx: CommandContext, command: string): SyncOptions {
  const v = ctx.values;
  const upgradeList = (v['upgrade-component'] as string[] | undefined) ?? [];
  return {
    command,
    waitSeconds: ctx.waitSeconds,
    frozen: Boolean(v.frozen),
    offline: Boolean(v.offline),
    upgrade: v.upgrade ? true : upgradeList.length ? upgradeList : false,
    noInstall: Boolean(v['no-install']),
    manifestOnly: Boolean(v['no-sync']),
  };
}

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new HsmError(ErrorCodes.USAGE, `\`${name}\` is not a component name (lowercase letters, digits and dashes)`, { hint: 'find names with `hsm search TEXT`' });
  }
}

async function editAndSync(ctx: CommandContext, command: string, edit: SyncOptions['edit']): Promise<CommandResult> {
  const dir = findProjectDir(ctx.cwd);
  const report = await syncProject(dir, ctx.out, { ...syncOptionsFrom(ctx, command), edit });
  return {
    data: { written: report.written, added: report.added, removed: report.removed, changed: report.changed, recovered: report.recovered },
    text: summarize(report, ctx.out),
  };
}

function inStack(manifestText: string, name: string): boolean {
  if (getIn(manifestText, ['components', name]) !== undefined) return true;
  const groups = (getIn(manifestText, ['groups']) ?? {}) as Record<string, { use?: string | string[] }>;
  return Object.values(groups).some((g) => (Array.isArray(g?.use) ? g.use.includes(name) : g?.use === name));
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
  return notFoundOnAdd(specs.map((s) => s.name), () => editAndSync(ctx, 'add', ({ manifest, overlay }) => {
    for (const s of specs) {
      const existing = getIn(manifest, ['components', s.name]);
      if (existing === undefined) {
        const entry: Record<string, unknown> = {};
        if (s.range) entry.version = s.range;
        if (registry) entry.registry = registry;
        manifest = setIn(manifest, ['components', s.name], entry);
      } else {
        if (s.range) manifest = setIn(manifest, ['components', s.name, 'version'], s.range);
        if (registry) manifest = setIn(manifest, ['components', s.name, 'registry'], registry);
      }
    }
    if (dev) ({ manifest, overlay } = setMode(manifest, overlay, specs[0].name, 'dev', path, Boolean(ctx.values.shared)));
    return { manifest, overlay };
  }));
};

/**
 * A component `hsm add` asked for that no registry has: the resolver speaks of the edited hsm.yaml ("listed in
 * hsm.yaml", "`hsm remove X`"), but nothing was written — say so instead (issue 9 item 8).
 */
async function notFoundOnAdd(names: string[], run: () => Promise<CommandResult>): Promise<CommandResult> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof HsmError) || e.code !== ErrorCodes.COMPONENT_NOT_FOUND) throw e;
    const name = names.find((n) => e.message.startsWith(`component ${n} is not in `));
    if (!name) throw e;
    throw new HsmError(e.code, e.message, {
      details: e.details.filter((d) => !d.startsWith('listed in hsm.yaml')),
      hint: `\`hsm search ${name}\` lists what the registries offer; nothing was written`,
    });
  }
}

export const remove: Command = async (ctx) => {
  for (const n of ctx.positionals) checkName(n);
  return editAndSync(ctx, 'remove', ({ manifest, overlay }) => {
    for (const name of ctx.positionals) {
      if (!inStack(manifest, name)) {
        const known = Object.keys((getIn(manifest, ['components']) ?? {}) as object);
        throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in hsm.yaml${didYouMean(name, known)}`, { hint: 'see the stack with `hsm status`' });
      }
      manifest = deleteIn(manifest, ['components', name]);
      const groups = (getIn(manifest, ['groups']) ?? {}) as Record<string, { policy: string; use: string | string[] }>;
      for (const [g, spec] of Object.entries(groups)) {
        if (Array.isArray(spec?.use) && spec.use.includes(name)) manifest = setIn(manifest, ['groups', g, 'use'], spec.use.filter((u) => u !== name));
        else if (spec?.use === name) {
          // the group's last entry goes with the `groups:` key (as `hsm use` created it): hsm.yaml round-trips
          manifest = Object.keys(groups).length === 1 ? deleteIn(manifest, ['groups']) : deleteIn(manifest, ['groups', g]);
        }
      }
    }
    return { manifest, overlay };
  });
};

function setMode(manifest: string, overlay: string | null, name: string, mode: 'dev' | 'prod', path: string | undefined, shared: boolean) {
  if (shared) {
    manifest = setIn(manifest, ['components', name, 'mode'], mode);
    if (path) manifest = setIn(manifest, ['components', name, 'path'], path);
    if (overlay !== null && getIn(overlay, ['components', name, 'mode']) !== undefined) overlay = deleteIn(overlay, ['components', name, 'mode']);
    return { manifest, overlay };
  }
  let text = overlay ?? OVERLAY_HEADER;
  text = setIn(text, ['components', name, 'mode'], mode);
  if (path) text = setIn(text, ['components', name, 'path'], path);
  return { manifest, overlay: text };
}

export const mode: Command = async (ctx) => {
  const [name, m] = ctx.positionals;
  checkName(name);
  if (m !== 'dev' && m !== 'prod') throw new HsmError(ErrorCodes.USAGE, `mode must be \`dev\` or \`prod\`, got \`${m}\``, { hint: `hsm mode ${name} dev --path ../${name}` });
  const dir = findProjectDir(ctx.cwd);
  const shared = Boolean(ctx.values.shared);
  const path = ctx.values.path as string | undefined;
  const edit: SyncOptions['edit'] = ({ manifest, overlay }) => setMode(manifest, overlay, name, m, path, shared);
  if (m === 'dev') await ensureCheckout(ctx, dir, name, edit);
  return editAndSync(ctx, 'mode', edit);
};

/** SPEC §6.4: an existing directory is used as is; otherwise clone python.source.git at its ref. Never deletes. */
async function ensureCheckout(ctx: CommandContext, dir: string, name: string, edit: SyncOptions['edit']): Promise<void> {
  const { resolution } = await resolveProject(dir, ctx.out, { edit });
  const c = resolution.components.find((x) => x.name === name);
  if (!c) {
    throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in the stack`, { hint: `add it first: \`hsm add ${name} --dev --path <checkout>\`` });
  }
  const target = checkoutDir(dir, c);
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

/** Components listed in hsm.yaml whose definitions provide `iface` (any version, any registry). */
async function listedProviders(dir: string, iface: string): Promise<string[]> {
  const files = await readProjectFiles(dir);
  const { manifest } = parseProject(dir, files);
  const registries = (await loadRegistries(dir, manifest)).map((r) => r.snapshot);
  return Object.keys(manifest.components ?? {}).filter((name) =>
    findVersions(registries, name).some((f) => f.entries.some((e) => (e.definition.provides ?? []).includes(iface))),
  );
}

export const use: Command = async (ctx) => {
  const [group, ...names] = ctx.positionals;
  checkName(group);
  for (const n of names) checkName(n);
  // the group owns its interface: a provider listed under `components` would be a second implementation,
  // so swapping is one command — the replaced provider leaves `components` too
  const replaced = (await listedProviders(findProjectDir(ctx.cwd), group)).filter((n) => !names.includes(n));
  for (const r of replaced) ctx.out.log(`removing ${r} from components: it provided ${group}, now chosen by the group`);
  return editAndSync(ctx, 'use', ({ manifest, overlay }) => {
    for (const r of replaced) manifest = deleteIn(manifest, ['components', r]);
    const existing = getIn(manifest, ['groups', group]) as { policy?: string } | undefined;
    if (existing?.policy === 'one' || (existing === undefined && names.length === 1)) {
      if (names.length !== 1) {
        throw new HsmError(ErrorCodes.GROUP_INVALID, `group \`${group}\` takes exactly one implementation (policy: one), got ${names.length}`, {
          hint: `pick one: \`hsm use ${group} ${names[0]}\`, or set \`policy: many\` in hsm.yaml`,
        });
      }
      manifest = existing === undefined ? setIn(manifest, ['groups', group], { policy: 'one', use: names[0] }) : setIn(manifest, ['groups', group, 'use'], names[0]);
    } else {
      manifest = existing === undefined ? setIn(manifest, ['groups', group], { policy: 'many', use: names }) : setIn(manifest, ['groups', group, 'use'], names);
    }
    return { manifest, overlay };
  });
};

export { OVERLAY };
