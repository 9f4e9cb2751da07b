/**
 * Step one of every command that looks at the stack (SPEC §7.3): read the project once into a value — the files
 * with their bytes and journal states, hsm.yaml / hsm.local.yaml / hsm.lock parsed, an edit command's changes
 * applied to the texts, the registries loaded and the stack resolved. Planning (core's planSync) and applying
 * (applyPlan) work from this value and never read the files again.
 */
import { existsSync } from 'node:fs';
import {
  parseManifest,
  parseOverlay,
  parseOverlaySource,
  parseLock,
  YamlEdit,
  type Manifest,
  type LocalOverlay,
  type Lockfile,
  type ProjectFiles,
  type RegistrySnapshot,
  type Resolution,
  type ResolvedComponent,
} from '@hsm/core';
import { loadRegistries, projectRelative, type LoadedRegistry, type RegistryLoadOptions } from '../registries/load-registries.js';
import { resolveWithRegistries } from '../registries/resolve-with-registries.js';
import { readProjectFiles, type ReadFiles } from './read-project.js';
import { MANIFEST, OVERLAY } from './find-project-dir.js';

export interface ProjectEditContext {
  /** hsm.yaml being edited (starts from the Document the reader parsed). */
  manifest: YamlEdit;
  /** hsm.local.yaml being edited; null when there is none (assign one to create it). */
  overlay: YamlEdit | null;
  /** hsm.yaml as read, before this edit. */
  current: Manifest;
  /** The registries of hsm.yaml as read (loaded on first call). */
  registries(): Promise<RegistrySnapshot[]>;
}

/** An edit command's change to hsm.yaml / hsm.local.yaml, committed in the same transaction as the artifacts. */
export type ProjectEdit = (context: ProjectEditContext) => void | Promise<void>;

export interface LoadOptions extends Pick<RegistryLoadOptions, 'offline' | 'refresh' | 'folderCache' | 'upgrade' | 'log' | 'builtin'> {
  edit?: ProjectEdit;
  /** Progress around the resolve. */
  step?: (label: string) => () => void;
}

export interface LoadedProject {
  dir: string;
  read: ReadFiles;
  files: ProjectFiles;
  /** Texts after the edit (the files' own texts without one). */
  manifestText: string;
  overlayText: string | null;
  manifest: Manifest;
  overlay: LocalOverlay;
  lock: Lockfile | null;
  registries: LoadedRegistry[];
  resolution: Resolution;
}

export function checkoutDir(dir: string, c: Pick<ResolvedComponent, 'checkout'>): string {
  return projectRelative(dir, c.checkout);
}

/** Component name → its dev checkout exists: what the pure planner needs to know of the disk. */
export function checkoutsPresent(project: LoadedProject): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const c of project.resolution.components) if (c.mode === 'dev') out[c.name] = existsSync(checkoutDir(project.dir, c));
  return out;
}

export async function loadProject(dir: string, options: LoadOptions = {}): Promise<LoadedProject> {
  const read = await readProjectFiles(dir);
  const { files } = read;
  const asRead = parseManifest(files['hsm.yaml'], MANIFEST);
  const overlayRead = files['hsm.local.yaml'] === null ? null : parseOverlaySource(files['hsm.local.yaml'], OVERLAY);
  const lock = files['hsm.lock'] === null ? null : parseLock(files['hsm.lock'], 'hsm.lock');
  const registryOptions = { offline: options.offline, refresh: options.refresh, folderCache: options.folderCache, lock, upgrade: options.upgrade, log: options.log, builtin: options.builtin };

  let manifest = asRead.manifest;
  let overlay = overlayRead?.overlay ?? {};
  let manifestText = files['hsm.yaml'];
  let overlayText = files['hsm.local.yaml'];
  let registries: Promise<LoadedRegistry[]> | undefined;
  const load = () => (registries ??= loadRegistries(dir, asRead.manifest, registryOptions));
  if (options.edit) {
    const context: ProjectEditContext = {
      manifest: new YamlEdit(manifestText, asRead.source.doc),
      overlay: overlayText === null ? null : new YamlEdit(overlayText, overlayRead!.source.doc),
      current: asRead.manifest,
      registries: async () => (await load()).map((r) => r.snapshot),
    };
    await options.edit(context);
    if (context.manifest.text !== manifestText) {
      manifestText = context.manifest.text;
      manifest = parseManifest(manifestText, MANIFEST).manifest;
      // a registry service asks for the ranges hsm.yaml puts on names: it must see the edited manifest
      if (registries && (manifest.registries ?? []).some((r) => 'url' in r)) registries = undefined;
    }
    const editedOverlay = context.overlay?.text ?? null;
    if (editedOverlay !== overlayText) {
      overlayText = editedOverlay;
      overlay = editedOverlay === null ? {} : parseOverlay(editedOverlay, OVERLAY);
    }
  }
  const loaded = await (registries ?? loadRegistries(dir, manifest, registryOptions));
  const done = options.step?.('Resolving');
  let resolution: Resolution;
  try {
    resolution = await resolveWithRegistries(loaded, { manifest, overlay, lock, upgrade: options.upgrade });
  } finally {
    done?.();
  }
  return { dir, read, files, manifestText, overlayText, manifest, overlay, lock, registries: loaded, resolution };
}
