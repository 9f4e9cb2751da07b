/**
 * A test hook, not a feature: every parse of a project file calls `noteParse(file)`, which reports to
 * `globalThis.__hsmParseProbe` when a test installed one (test/support/io-trace.mjs) and costs one property
 * read otherwise. It lets a test count "each input parsed once per command" instead of guessing.
 */
type Probe = (file: string) => void;

export function noteParse(file: string): void {
  (globalThis as { __hsmParseProbe?: Probe }).__hsmParseProbe?.(file);
}
