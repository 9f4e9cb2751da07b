/**
 * The resolver's working vocabulary (resolve.ts outlines the steps): the constraints on a name and where they
 * come from, the registry each name is bound to, the group rules, and why a candidate version was turned down.
 */
import type { CatalogEntry, Reason } from '../model.js';

export interface Constraint {
  range: string;
  reason: Reason;
}

export type Source = { kind: 'found'; registry: string; entries: CatalogEntry[] } | { kind: 'missing'; lockedRegistry?: string; pinned?: string };

export interface GroupRule {
  name: string;
  policy: 'one' | 'many';
  members: Set<string>;
}

export type Rejection =
  | { kind: 'yanked' }
  | { kind: 'range'; constraint: Constraint }
  | { kind: 'group-member'; group: string }
  | { kind: 'group-outsider'; group: string }
  | { kind: 'conflict'; other: string; otherVersion: string }
  | { kind: 'requires-missing'; dependency: string }
  | { kind: 'requires-version'; dependency: string; range: string; chosen: string };

export interface Failure {
  name: string;
  constraints: Constraint[];
  /** One line per constraint: `b@^2 required by a 1.0.0, which is listed in hsm.yaml`. */
  via: string[];
  /** For a `requires-version` dead end: the same lines for the dependency both sides disagree on. */
  dependencyVia?: string[];
  /** For a conflict: why the other side is in the stack. */
  otherVia?: string[];
  tried: Array<{ version: string; rejection: Rejection }>;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
