/**
 * Is the process that wrote a lock or journal still running? Only answerable on the same host; a different boot
 * (power loss, reboot, a restarted container) means it is gone even if its pid is now reused.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  pid: number;
  host: string;
  bootId?: string;
}

let cachedBootId: string | undefined | null = null;

function currentBootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}

export function currentProcess(): ProcessIdentity {
  const bootId = currentBootId();
  return { pid: process.pid, host: hostname(), ...(bootId ? { bootId } : {}) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `true` = certainly dead; `false` = alive, or on another host where we cannot tell. */
export function isDeadProcess(who: ProcessIdentity, ownedByUs: () => boolean): boolean {
  if (who.host !== hostname()) return false;
  if (who.bootId && currentBootId() && who.bootId !== currentBootId()) return true;
  if (who.pid === process.pid) return !ownedByUs();
  return !pidAlive(who.pid);
}
