/**
 * Name normalisation: lowercase, runs of `-`, `_` and `.` folded to one `-` (as PEP 503 does for Python
 * packages). Lookups go through the normalised form, and the database holds it under a unique index, so a new
 * name that differs from an existing one only by case or punctuation is refused.
 */
export function normalizeName(name: string): string {
  return NORMAL.test(name) ? name : name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Already normal: lowercase letters and digits, single dashes between them (every published name is so). */
const NORMAL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
