/**
 * Small, cached semver helpers: the resolver tests the same ranges against many versions, and the registry
 * validates and tests the same few ranges on every resolve request (parsing a range costs more than testing it).
 */
import semver from 'semver';

/** Parsed ranges by their text; `null` marks an invalid one. Bounded: a long-running service sees any text. */
const ranges = new Map<string, semver.Range | null>();
const MAX_RANGES = 10_000;

/** The parsed range, or null when `range` is not a valid semver range (what `semver.validRange` rejects). */
export function parsedRange(range: string): semver.Range | null {
  let r = ranges.get(range);
  if (r === undefined) {
    try {
      r = new semver.Range(range);
    } catch {
      r = null;
    }
    if (ranges.size >= MAX_RANGES) ranges.clear();
    ranges.set(range, r);
  }
  return r;
}

export function isValidRange(range: string): boolean {
  return parsedRange(range) !== null;
}

export function satisfies(version: string, range: string): boolean {
  if (range === '*' || range === '') return semver.prerelease(version) === null;
  const r = parsedRange(range);
  return (r ?? new semver.Range(range)).test(version); // an invalid range throws semver's own error
}

/** Highest first. */
export function sortVersionsDesc<T extends { version: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => semver.rcompare(a.version, b.version));
}
