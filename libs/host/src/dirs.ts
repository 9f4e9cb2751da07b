/**
 * hsm's folders in the user's home. A module of its own (`@hsm/host/dirs`, nothing else imported) because the
 * CLI's start (apps/cli/src/main.ts) needs the cache folder before any of hsm is loaded.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CACHE_HOME/hsm` (default `~/.cache/hsm`). */
export function hsmCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hsm');
}

/** `$XDG_CONFIG_HOME/hsm` (default `~/.config/hsm`): credentials from `hsm login`. */
export function hsmConfigDir(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hsm');
}
