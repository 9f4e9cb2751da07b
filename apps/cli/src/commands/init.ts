/** `hsm init`: a starter hsm.yaml from what the project already has; git-ignores the personal overlay. */
import { basename, join, dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { HsmError, ErrorCodes, readPyprojectDependencies, pep503, USER_COMPOSE_FILES, type RegistrySnapshot } from '@hsm/core';
import { applyFiles, acquireProjectLock, readOptional } from '@hsm/host';
import type { Command } from '../commands.js';
import { builtinRegistry } from '../catalog.js';

interface Proposal {
  component: string;
  because: string;
}

function latest(reg: RegistrySnapshot) {
  const out: { name: string; packages: string[]; images: string[] }[] = [];
  for (const [name, entries] of reg.components) {
    const e = entries.filter((x) => !x.yanked).at(-1) ?? entries.at(-1);
    if (!e) continue;
    const images = Object.values(e.definition.services ?? {})
      .map((s) => (typeof s.image === 'string' ? imageRepo(s.image) : null))
      .filter((x): x is string => x !== null);
    out.push({ name, packages: e.definition.python ? [pep503(e.definition.python.package)] : [], images });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function imageRepo(image: string): string {
  const noDigest = image.split('@')[0];
  const lastColon = noDigest.lastIndexOf(':');
  const repo = lastColon > noDigest.lastIndexOf('/') ? noDigest.slice(0, lastColon) : noDigest;
  return repo.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

export function schemaPath(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, 'schemas', 'hsm.schema.json'), join(here, '..', '..', '..', 'schemas', 'hsm.schema.json')]) if (existsSync(p)) return p;
  return null;
}

export const init: Command = async (ctx) => {
  const dir = ctx.cwd;
  if (!existsSync(dir)) throw new HsmError(ErrorCodes.USAGE, `directory ${dir} does not exist`, { hint: 'create it first, or pass an existing directory to -C' });
  const manifestPath = join(dir, 'hsm.yaml');
  const current = await readOptional(manifestPath);
  if (current !== null && !ctx.values.force) {
    throw new HsmError(ErrorCodes.MANIFEST_EXISTS, `${manifestPath} already exists`, { hint: 'edit it, or run `hsm init --force` to replace it' });
  }
  const pyproject = await readOptional(join(dir, 'pyproject.toml'));
  const proposals: Proposal[] = [];
  const catalog = latest(builtinRegistry());
  let projectName = ctx.values.name as string | undefined;
  if (pyproject) {
    try {
      const deps = readPyprojectDependencies(pyproject);
      for (const d of deps) {
        const hit = catalog.find((c) => c.packages.includes(pep503(d.name)));
        if (hit) proposals.push({ component: hit.name, because: `pyproject.toml depends on ${d.name}` });
      }
      projectName ??= /^\s*name\s*=\s*["']([^"']+)["']/m.exec(pyproject)?.[1];
    } catch {
      // an unparsable pyproject.toml is reported by `hsm sync`; init just proposes nothing from it
    }
  }
  for (const f of USER_COMPOSE_FILES) {
    const text = await readOptional(join(dir, f));
    if (text === null) continue;
    let doc: { services?: Record<string, { image?: string }> } | null = null;
    try {
      doc = parseYaml(text, { maxAliasCount: 64 });
    } catch {
      doc = null;
    }
    for (const [svc, def] of Object.entries(doc?.services ?? {})) {
      if (typeof def?.image !== 'string') continue;
      const hit = catalog.find((c) => c.images.includes(imageRepo(def.image!)));
      if (hit && !proposals.some((p) => p.component === hit.name)) proposals.push({ component: hit.name, because: `${f} runs ${def.image} as \`${svc}\`` });
    }
    break;
  }
  projectName = (projectName ?? basename(dir)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'app';
  const schema = schemaPath();
  const lines = [
    ...(schema ? [`# yaml-language-server: $schema=${schema}`] : []),
    '# hsm manifest: the components of this stack. `hsm add NAME` adds one, `hsm sync` applies,',
    '# `hsm mode NAME dev --path DIR` works on a local checkout (written to the git-ignored hsm.local.yaml).',
    'version: 1',
    `name: ${projectName}`,
    'components: {}',
  ];
  if (proposals.length) {
    lines.push('# Components from the catalog that match what this project already uses. hsm never rewrites a');
    lines.push('# dependency you declared yourself: to let hsm manage one, remove it from pyproject.toml / your');
    lines.push('# compose file and run `hsm add NAME`.');
    for (const p of proposals) lines.push(`#   ${p.component}: {}    # ${p.because}`);
  }
  const manifest = lines.join('\n') + '\n';
  const gitignore = await readOptional(join(dir, '.gitignore'));
  const needed = ['hsm.local.yaml', '.hsm/'].filter((l) => !(gitignore ?? '').split(/\r?\n/).some((x) => x.trim() === l || x.trim() === `/${l}`));
  const changes: { path: string; after: string | null }[] = [{ path: 'hsm.yaml', after: manifest }];
  if (needed.length) {
    const base = gitignore ?? '';
    const sep = base === '' || base.endsWith('\n') ? '' : '\n';
    changes.push({ path: '.gitignore', after: `${base}${sep}${base ? '\n' : ''}# hsm: personal dev overlay and transaction state\n${needed.join('\n')}\n` });
  }
  const lock = await acquireProjectLock(dir, { waitSeconds: ctx.waitSeconds, command: 'init' });
  try {
    await applyFiles(dir, changes);
  } finally {
    await lock.release();
  }
  const s = ctx.out.style;
  const text = [
    `Wrote hsm.yaml${needed.length ? ' and added ' + needed.join(', ') + ' to .gitignore' : ''}`,
    ...(proposals.length ? ['Catalog components matching this project:', ...proposals.map((p) => `  ${s.bold(p.component)}  (${p.because})`)] : []),
    `next: ${s.cyan('hsm add NAME')} (find names with ${s.cyan('hsm search TEXT')})`,
  ].join('\n');
  return { data: { written: changes.map((c) => c.path), proposals }, text };
};
