/**
 * Durable file replacement: write a sibling temp file, fsync it, rename it over the target, fsync the folder.
 * After a crash the target holds either its old or its new bytes, never a torn mix.
 */
import { open, rename, rm, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';

interface FileBytes {
  bytes: Buffer;
  /** Permission bits to give the file (exactly, ignoring umask); omitted → 0o666 minus umask. */
  mode?: number;
  /** Owner to restore when running as root (a rename would otherwise hand the file to root). */
  uid?: number;
  gid?: number;
}

/** Deterministic temp name beside the target, so recovery can sweep it after a crash. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.hsm-tmp`);
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * What a write may leave to the caller: `syncDir: false` skips the folder's fsync (the caller syncs each folder
 * once, see applyFiles); `syncFile: false` skips the file's (only for a file whose torn content is harmless).
 */
interface Durability {
  syncFile?: boolean;
  syncDir?: boolean;
}

export async function writeFileDurable(target: string, content: FileBytes, onTempWritten?: () => void, durability: Durability = {}): Promise<void> {
  const temp = tempPathFor(target);
  await rm(temp, { force: true });
  // O_EXCL: never write through something planted at the temp path.
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, content.mode ?? 0o666);
  try {
    await handle.writeFile(content.bytes);
    if (content.mode !== undefined) await handle.chmod(content.mode);
    if (content.uid !== undefined && content.gid !== undefined && process.getuid?.() === 0) await handle.chown(content.uid, content.gid);
    if (durability.syncFile !== false) await handle.sync();
  } finally {
    await handle.close();
  }
  onTempWritten?.();
  await rename(temp, target);
  if (durability.syncDir !== false) await fsyncDir(path.dirname(target));
}

export async function unlinkDurable(target: string, durability: Pick<Durability, 'syncDir'> = {}): Promise<void> {
  try {
    await unlink(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (durability.syncDir !== false) await fsyncDir(path.dirname(target));
}
