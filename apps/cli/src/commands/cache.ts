/**
 * `hsm cache [info|clean]`: the size of hsm's cache, or empty it — registry documents, parsed folder registries and
 * the CLI's own compiled code (code/, apps/cli/src/code-cache.ts: written again by the next run, at its exit).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, HsmError } from '@hsm/core';
import { cacheSize, cleanCache, hsmCacheDir } from '@hsm/host';
import type { Command } from '../commands.js';

const PARTS = ['registries', 'folders', 'code'] as const;

export const cache: Command = async (ctx) => {
  const action = ctx.positionals[0] ?? 'info';
  const root = hsmCacheDir();
  if (action === 'info') {
    const sizes = await Promise.all(PARTS.map((p) => cacheSize(join(root, p))));
    const files = sizes.reduce((n, s) => n + s.files, 0);
    const bytes = sizes.reduce((n, s) => n + s.bytes, 0);
    // one folder per hsm build and Node version (code-cache.ts keeps the newest few)
    const folders = (await readdir(join(root, 'code'), { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).length;
    const code = { folders, ...sizes[PARTS.indexOf('code')] };
    return {
      data: { dir: root, files, bytes, code },
      text: `${root}: ${files} files, ${human(bytes)} (of which hsm's compiled code, code/: ${folders} ${folders === 1 ? 'folder' : 'folders'}, ${human(code.bytes)})`,
    };
  }
  if (action === 'clean') {
    let freed;
    try {
      freed = await Promise.all(PARTS.map((p) => cleanCache(join(root, p))));
    } catch (e) {
      throw new HsmError(ErrorCodes.IO, `cannot empty ${root}: ${(e as Error).message}`, { cause: e, hint: 'check the permissions of the folder' });
    }
    const files = freed.reduce((n, s) => n + s.files, 0);
    const bytes = freed.reduce((n, s) => n + s.bytes, 0);
    return { data: { dir: root, removedFiles: files, removedBytes: bytes }, text: `removed ${files} files (${human(bytes)}) from ${root}` };
  }
  throw new HsmError(ErrorCodes.USAGE, `unknown action \`${action}\` for \`hsm cache\``, { hint: 'usage: hsm cache [info|clean]' });
};

function human(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
