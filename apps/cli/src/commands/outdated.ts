/**
 * `hsm outdated`: per component of the stack (hsm.yaml and hsm.lock), the locked version, the newest version the
 * hsm.yaml range allows, the newest overall, and whether the locked version was yanked. Complete registries
 * (folders, the built-in catalog) answer from their snapshot; each registry service gets one batch request.
 */
import { outdatedIn, parseLock, parseManifest, type OutdatedQuery, type OutdatedReport } from '@hsm/core';
import { findProjectDir, loadRegistries, readOptional, readManifestText, MANIFEST } from '@hsm/host';
import { join } from 'node:path';
import type { Command } from '../commands.js';
import { builtinRegistry } from '../catalog.js';
import { folderCache } from '../pipeline.js';
import { bundledSchemaDir } from '../schema-dir.js';

interface OutdatedRow extends OutdatedReport {
  registry: string | null;
}

export const outdated: Command = async (ctx) => {
  const dir = findProjectDir(ctx.cwd);
  const [manifestText, lockText] = await Promise.all([readManifestText(dir, bundledSchemaDir()), readOptional(join(dir, 'hsm.lock'))]);
  const { manifest } = parseManifest(manifestText, MANIFEST);
  const lock = lockText === null ? null : parseLock(lockText, 'hsm.lock');
  const registries = await loadRegistries(dir, manifest, { lock, log: (m) => ctx.out.debug(m), builtin: builtinRegistry, folderCache: folderCache() });
  const names = [...new Set([...Object.keys(manifest.components ?? {}), ...Object.keys(lock?.components ?? {})])].sort();
  // a locked name is asked of its registry only; any other of every registry it may come from (the first with it wins)
  const asked = registries.map((r) =>
    names.flatMap((name): OutdatedQuery[] => {
      const locked = lock?.components[name];
      const pinned = manifest.components?.[name]?.registry;
      if (locked ? locked.registry !== r.snapshot.name : pinned !== undefined && pinned !== r.snapshot.name) return [];
      return [{ name, range: manifest.components?.[name]?.version ?? '*', locked: locked?.version }];
    }),
  );
  const answers = await Promise.all(
    registries.map(async (r, i): Promise<OutdatedReport[]> => {
      if (asked[i].length === 0) return [];
      if (r.remote) return r.remote.outdated(asked[i]);
      return asked[i].map((q) => outdatedIn(r.snapshot.components.get(q.name), q));
    }),
  );
  const rows: OutdatedRow[] = names.map((name) => {
    for (let i = 0; i < registries.length; i++) {
      const found = answers[i].find((a) => a.name === name && !a.missing);
      if (found) return { ...found, registry: registries[i].snapshot.name };
    }
    return { name, range: manifest.components?.[name]?.version ?? '*', locked: lock?.components[name]?.version ?? null, wanted: null, latest: null, yanked: null, missing: true, registry: null };
  });

  const s = ctx.out.style;
  const table = [['component', 'locked', 'wanted', 'latest', 'registry', '']].concat(
    rows.map((r) => [
      r.name,
      r.locked ?? '-',
      r.wanted ?? '-',
      r.latest ?? '-',
      r.registry ?? '-',
      [
        r.yanked ? s.red('locked version yanked') : '',
        r.missing ? s.red('not in any registry') : '',
        r.locked && r.wanted && r.locked !== r.wanted ? s.yellow('update within range') : '',
        r.wanted && r.latest && r.wanted !== r.latest ? s.cyan('newer outside range') : '',
      ]
        .filter(Boolean)
        .join(', '),
    ]),
  );
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const text = rows.length
    ? table
        .map((row) =>
          row
            .map((c, i) => (i < 5 ? c.padEnd(widths[i]) : c))
            .join('  ')
            .trimEnd(),
        )
        .join('\n')
    : 'no components in hsm.yaml';
  return { data: { components: rows.map(({ missing: _missing, ...r }) => r) }, text };
};
