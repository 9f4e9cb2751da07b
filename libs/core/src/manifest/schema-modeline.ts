/**
 * The editor line of hsm.yaml, `# yaml-language-server: $schema=…` (docs/user-guide.md "Editor support").
 * hsm writes a path relative to the manifest, `.hsm/hsm.schema.json`, to a copy every hsm command keeps current
 * (yaml-language-server resolves a relative `$schema` against the file that holds the line), so the committed
 * line works on every teammate's machine. Older hsm wrote this machine's absolute path to the schema inside the
 * CLI: `portableSchemaModeline` turns such a line into the relative one, leaving every other byte alone.
 */

/** The manifest's schema, relative to the project folder (and so to hsm.yaml). */
export const MANIFEST_SCHEMA_PATH = '.hsm/hsm.schema.json';
export const OVERLAY_SCHEMA_PATH = '.hsm/hsm.local.schema.json';
export const MANIFEST_MODELINE = `# yaml-language-server: $schema=${MANIFEST_SCHEMA_PATH}`;

// a comment line (yaml-language-server reads the first such line anywhere in the file)
const MODELINE = /^([ \t]*#[ \t]*yaml-language-server:[ \t]*\$schema=)([^\s]*)([ \t]*)$/m;

/** The `$schema` value of the editor line, or null when there is none. */
export function schemaModelineTarget(text: string): string | null {
  return MODELINE.exec(text)?.[2] ?? null;
}

/** A machine path (POSIX, Windows or file://) to one of the schemas hsm ships, as older hsm versions wrote. */
export function isMachineSchemaPath(target: string): boolean {
  const absolute = target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target) || target.startsWith('\\\\') || /^file:\/\//i.test(target);
  return absolute && /[\\/]hsm\.schema\.json$/.test(target);
}

/** The text with an absolute-path editor line made relative, or null when there is nothing to change. */
export function portableSchemaModeline(text: string): string | null {
  const m = MODELINE.exec(text);
  if (!m || !isMachineSchemaPath(m[2])) return null;
  const start = m.index + m[1].length;
  return text.slice(0, start) + MANIFEST_SCHEMA_PATH + text.slice(start + m[2].length);
}
