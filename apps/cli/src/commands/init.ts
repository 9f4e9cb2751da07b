/** `hsm init`: a starter hsm.yaml from what the project already has; git-ignores the personal overlay. */
import { basename, join, posix } from 'node:path';
import { existsSync } from 'node:fs';
import { HsmError, ErrorCodes, MANIFEST_MODELINE, initProposals, composeEnvironment, parsePyproject, pyprojectTarget } from '@hsm/core';
import { applyFiles, acquireProjectLock, composeStack, readOptional, readWorkspaceMembers, refreshSchemaCopies, uvWorkspaceOf } from '@hsm/host';
import type { Command } from '../commands.js';
import { builtinRegistry } from '../catalog.js';
import { bundledSchemaDir } from '../schema-dir.js';

export const init: Command = async (ctx) => {
  const dir = ctx.cwd;
  if (!existsSync(dir)) throw new HsmError(ErrorCodes.USAGE, `directory ${dir} does not exist`, { hint: 'create it first, or pass an existing directory to -C' });
  const manifestPath = join(dir, 'hsm.yaml');
  const current = await readOptional(manifestPath);
  if (current !== null && !ctx.values.force) {
    throw new HsmError(ErrorCodes.MANIFEST_EXISTS, `${manifestPath} already exists`, { hint: 'edit it, or run `hsm init --force` to replace it' });
  }
  const rootPyproject = await readOptional(join(dir, 'pyproject.toml'));
  // at a uv workspace root, `--package` names the member that gets the Python dependencies (issue 9 item 1)
  const pkg = ctx.values.package as string | undefined;
  const members = pkg === undefined ? null : await readWorkspaceMembers(dir, rootPyproject);
  const target = pkg === undefined ? null : pyprojectTarget({ rootText: rootPyproject, rootData: rootPyproject === null ? undefined : parsePyproject(rootPyproject), members: members?.members, pkg, needed: true });
  const pyproject = target ? target.text : rootPyproject;
  let projectName = ctx.values.name as string | undefined;
  if (pyproject) projectName ??= /^\s*name\s*=\s*["']([^"']+)["']/m.exec(pyproject)?.[1];
  // the Compose project the stack joins: a uv workspace member without its own compose file joins the root's
  const { userFiles, dotenv, composeDir } = await composeStack(dir, null);
  const proposals = initProposals(builtinRegistry(), {
    pyproject,
    composeFiles: userFiles,
    env: composeEnvironment(dotenv, process.env),
  });
  projectName = (projectName ?? basename(dir)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'app';
  const lines = [
    // relative to hsm.yaml, to the copy in .hsm/ that every hsm command keeps current: the same on every machine
    MANIFEST_MODELINE,
    '# hsm manifest: the components of this stack. `hsm add NAME` adds one, `hsm sync` applies,',
    '# `hsm mode NAME dev --path DIR` works on a local checkout (written to the git-ignored hsm.local.yaml).',
    'version: 1',
    `name: ${projectName}`,
    'components: {}',
    ...(pkg === undefined ? [] : ['python:', `  package: ${pkg}    # the uv workspace member whose pyproject.toml gets the Python dependencies`]),
  ];
  if (proposals.length) {
    lines.push('# Components from the catalog that match what this project already uses. hsm never rewrites a');
    lines.push('# dependency you declared yourself: to let hsm manage one, remove it from pyproject.toml / your');
    lines.push('# compose file and run `hsm add NAME`.');
    for (const p of proposals) lines.push(`#   ${p.component}: {}    # ${p.because}`);
  }
  const manifest = lines.join('\n') + '\n';
  const changes: { path: string; after: string | null }[] = [{ path: 'hsm.yaml', after: manifest }];
  // `.env` holds secrets and, in a second worktree, that checkout's Compose project name and ports (issue 12)
  const ignored = [await ignoreLines(dir, '', ['hsm.local.yaml', '.hsm/', '.env'], changes)];
  // a workspace member joining the root's Compose project: that `.env` is the root's
  if (composeDir !== '') ignored.push(await ignoreLines(dir, composeDir, ['.env'], changes));
  const said = ignored.filter((i) => i.lines.length).map((i) => `${i.lines.join(', ')} to ${i.path}`);
  const lock = await acquireProjectLock(dir, { waitSeconds: ctx.waitSeconds, command: 'init' });
  try {
    // the root's .gitignore is written from the workspace root, as a sync writes the root's files (apply-plan)
    const ws = composeDir === '' ? null : await uvWorkspaceOf(dir);
    await applyFiles(
      ws ? ws.root : dir,
      changes.map((c) => (ws ? { ...c, path: posix.join(ws.member, c.path) } : c)),
    );
    refreshSchemaCopies(dir, manifest, bundledSchemaDir());
  } finally {
    await lock.release();
  }
  const s = ctx.out.style;
  const text = [
    `Wrote hsm.yaml${said.length ? ` and added ${said.join(' and ')}` : ''}`,
    ...(proposals.length ? ['Catalog components matching this project:', ...proposals.map((p) => `  ${s.bold(p.component)}  (${p.because})`)] : []),
    `next: ${s.cyan('hsm add NAME')} (find names with ${s.cyan('hsm search TEXT')})`,
  ].join('\n');
  return { data: { written: changes.map((c) => c.path), proposals }, text };
};

/** The `lines` `<sub>/.gitignore` lacks, appended to it as one more change; the lines added and the file. */
async function ignoreLines(dir: string, sub: string, lines: string[], changes: { path: string; after: string | null }[]): Promise<{ lines: string[]; path: string }> {
  const path = sub === '' ? '.gitignore' : `${sub}/.gitignore`;
  const gitignore = await readOptional(join(dir, path));
  const needed = lines.filter((l) => !(gitignore ?? '').split(/\r?\n/).some((x) => x.trim() === l || x.trim() === `/${l}`));
  if (needed.length) {
    const base = gitignore ?? '';
    const sep = base === '' || base.endsWith('\n') ? '' : '\n';
    changes.push({ path, after: `${base}${sep}${base ? '\n' : ''}# hsm: personal dev overlay, transaction state, per-checkout .env\n${needed.join('\n')}\n` });
  }
  return { lines: needed, path };
}
