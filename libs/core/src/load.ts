/** Text → validated objects for each hsm file format. Pure: callers read the files. */
import { ErrorCodes, HsmError } from './errors.js';
import { noteParse } from './parse-probe.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';
import { validateSource } from './validate.js';
import { Manifest, LocalOverlay } from './schema/manifest.js';
import { ComponentDefinition } from './schema/definition.js';
import { Lockfile } from './schema/lock.js';

export function parseManifest(text: string, file = 'hsm.yaml'): { manifest: Manifest; source: YamlSource } {
  const source = parseYamlSource(file, text, ErrorCodes.MANIFEST_INVALID);
  if (source.value === null || source.value === undefined) {
    throw new HsmError(ErrorCodes.MANIFEST_INVALID, `${file} is empty`, { location: `${file}:1:1`, hint: 'run `hsm init --force` to write a starter manifest' });
  }
  const manifest = validateSource(Manifest, source, ErrorCodes.MANIFEST_INVALID, `see the hsm.yaml reference in docs/spec.md`);
  return { manifest, source };
}

export function parseOverlay(text: string, file = 'hsm.local.yaml'): LocalOverlay {
  return parseOverlaySource(text, file).overlay;
}

export function parseOverlaySource(text: string, file = 'hsm.local.yaml'): { overlay: LocalOverlay; source: YamlSource } {
  const source = parseYamlSource(file, text, ErrorCodes.OVERLAY_INVALID);
  if (source.value === null || source.value === undefined) return { overlay: {}, source };
  return { overlay: validateSource(LocalOverlay, source, ErrorCodes.OVERLAY_INVALID, `${file} may only set components.<name>.mode and .path`), source };
}

export function parseDefinition(text: string, file: string): ComponentDefinition {
  const source = parseYamlSource(file, text, ErrorCodes.DEFINITION_INVALID);
  return validateSource(ComponentDefinition, source, ErrorCodes.DEFINITION_INVALID, 'see the component definition reference in docs/spec.md');
}

/** Validates a definition that arrived as JSON (registry responses, publish bodies). */
export function checkDefinition(value: unknown, where: string): ComponentDefinition {
  const r = ComponentDefinition.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const field = i.path.length ? i.path.map(String).join('.') : '(top level)';
  throw new HsmError(ErrorCodes.DEFINITION_INVALID, `${where}: \`${field}\`: ${i.message}`, { hint: 'fix the definition and publish it again' });
}

export function parseLock(text: string, file = 'hsm.lock'): Lockfile {
  let value: unknown;
  noteParse(file);
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HsmError(ErrorCodes.LOCK_INVALID, `${file} is not valid JSON`, { hint: `delete ${file} and run \`hsm sync\` to lock again`, cause: e });
  }
  const r = Lockfile.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new HsmError(ErrorCodes.LOCK_INVALID, `${file}: \`${i.path.join('.')}\`: ${i.message}`, { hint: `delete ${file} and run \`hsm sync\` to lock again` });
  }
  return r.data;
}
