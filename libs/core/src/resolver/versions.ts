/** Small, cached semver helpers: the resolver tests the same ranges against many versions. */
import semver from 'semver';

const ranges = new Map<string, semver.Range>();

export function satisfies(version: string, range: string): boolean {
  if (range === '*' || range === '') return semver.prerelease(version) === null;
  let r = ranges.get(range);
  if (!r) {
    r = new semver.Range(range);
    ranges.set(range, r);
  }
  return r.test(version);
}

/** Highest first. */
export function sortVersionsDesc<T extends { version: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => semver.rcompare(a.version, b.version));
}
