/** The CLI's side of the sync pipeline (libs/host syncProject): options from the command line, output, summaries. */
import { HsmError, ErrorCodes, type Resolution } from '@hsm/core';
import type { Reporter, SyncOptions, SyncReport } from '@hsm/host';
import type { CommandContext } from './commands.js';
import type { Output } from './output.js';
import { builtinRegistry, builtinCatalogPath } from './catalog.js';
import { join } from 'node:path';
import { hsmCacheDir, type FolderRegistryCache } from '@hsm/host';
import { BUILD_ID, VERSION } from './version.js';
import { bundledSchemaDir } from './schema-dir.js';

/** Parsed folder registries, per hsm build (none when running unbundled, whose code may change without a build). */
export function folderCache(): FolderRegistryCache | undefined {
  return BUILD_ID ? { dir: join(hsmCacheDir(), 'folders'), salt: BUILD_ID } : undefined;
}

export function reporter(out: Output): Reporter {
  return {
    log: (m) => out.log(m),
    warn: (m) => out.log(out.style.yellow(m)),
    debug: (m) => out.debug(m),
    step: (label) => out.step(label),
    quiet: out.quiet || out.json,
    verbose: out.verbose,
  };
}

/** The one reading of the sync options (`syncOptions` in commands.ts) shared by sync, plan, status and the edit commands. */
export function syncOptions(ctx: CommandContext, command: string): SyncOptions {
  const v = ctx.values;
  if (v['dry-run'] && v.check) throw new HsmError(ErrorCodes.USAGE, '--dry-run and --check exclude each other', { hint: 'use `hsm plan` to see the diff, `hsm sync --check` in CI' });
  const list = (v['upgrade-component'] as string[] | undefined) ?? [];
  return {
    command,
    waitSeconds: ctx.waitSeconds,
    readOnly: Boolean(v['dry-run'] || v.check) || command === 'plan' || command === 'status',
    frozen: Boolean(v.frozen),
    offline: Boolean(v.offline),
    refresh: Boolean(v.refresh),
    upgrade: v.upgrade ? true : list.length ? list : false,
    noInstall: Boolean(v['no-install']),
    noPortCheck: Boolean(v['no-port-check']),
    manifestOnly: Boolean(v['no-sync']),
    builtin: builtinRegistry,
    catalogPath: builtinCatalogPath(),
    build: VERSION,
    folderCache: folderCache(),
    schemaDir: bundledSchemaDir(),
  };
}

export function summarize(report: SyncReport, out: Output): string {
  if (out.quiet) return '';
  const lines: string[] = [];
  const s = out.style;
  for (const a of report.added) lines.push(s.green(` + ${a}`));
  for (const c of report.changed) lines.push(s.yellow(` ~ ${c}`));
  for (const r of report.removed) lines.push(s.red(` - ${r}`));
  if (report.written.length) lines.push(`Updated ${report.written.join(', ')}`);
  else lines.push('Nothing to change: artifacts match hsm.yaml');
  return lines.join('\n');
}

export function resolutionJson(r: Resolution) {
  return r.components.map((c) => ({ name: c.name, version: c.version, registry: c.registry, mode: c.mode, digest: c.digest }));
}
