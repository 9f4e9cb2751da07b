/**
 * Host ports per checkout (issue 12). The primary checkout (slot 0) publishes the declared ports. Slot s (1–9)
 * gets, for each declared port d, the first port at or above `d + 1000·s` that ends in the digit s (`port % 10 === s`),
 * is not one of the stack's declared ports, is not already given to another port of this slot, and is not known
 * to be in use on this machine; the search steps by 10 so it keeps that last digit.
 *
 * Why the last digit: two slots can never land on one port, whatever each skipped for ports in use (slot 2 only
 * ever uses ports ending in 2), and slot 0 is kept apart by never using a declared port. A plain offset added to
 * every port (`d + 1000·s`) is what other tools do; it collides across services (5432 + 1 = 5433, another
 * service's declared port) and across slots (6379 in slot 2 = 7379 in slot 1) — the probing here removes both.
 * Pure: the caller says which ports are in use (libs/host binds 127.0.0.1 to find out) and calls again with
 * more when a chosen port turns out to be taken.
 */
import { HsmError, ErrorCodes } from '../errors.js';

/** Slot 0 is the primary checkout; slots 1..MAX_SLOT are the others. */
export const MAX_SLOT = 9;
export const SLOT_STRIDE = 1000;
const LOWEST = 1024;
const HIGHEST = 65535;

export interface DeclaredPort {
  /** Stable identity of the binding (the Compose variable that carries it). */
  key: string;
  /** The host port the definition declares (slot 0 publishes it). */
  port: number;
}

export function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot > MAX_SLOT) {
    throw new HsmError(ErrorCodes.INSTANCE_INVALID, `instance slot ${String(slot)} is not one of 0..${MAX_SLOT}`, {
      hint: `hsm instance N with N from 1 to ${MAX_SLOT}, or \`hsm instance --primary\``,
    });
  }
}

/** Past 65535, start again from 1030 keeping the last digit (1030 and 64500 are multiples of 10). */
function wrap(p: number): number {
  return p <= HIGHEST ? p : 1030 + ((p - 1030) % 64500);
}

/** key → host port for `slot`; slot 0 returns the declared ports. Same inputs → same output. */
export function instancePorts(declared: readonly DeclaredPort[], slot: number, inUse: ReadonlySet<number> = new Set()): Record<string, number> {
  checkSlot(slot);
  const out: Record<string, number> = {};
  if (slot === 0) {
    for (const d of declared) out[d.key] = d.port;
    return out;
  }
  const reserved = new Set(declared.map((d) => d.port));
  const given = new Set<number>();
  const order = [...declared].sort((a, b) => a.port - b.port || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const d of order) {
    const start = d.port + SLOT_STRIDE * slot;
    let p = start - (start % 10) + slot;
    if (p < start) p += 10;
    p = wrap(p);
    let tries = 0;
    while (reserved.has(p) || given.has(p) || inUse.has(p) || p < LOWEST) {
      p = wrap(p + 10);
      if (++tries > (HIGHEST - LOWEST) / 10) {
        throw new HsmError(ErrorCodes.INSTANCE_INVALID, `no free host port ending in ${slot} for ${d.key} (declared ${d.port})`, {
          hint: 'stop some of what listens on this machine, or use another slot: `hsm instance N`',
        });
      }
    }
    given.add(p);
    out[d.key] = p;
  }
  return out;
}
