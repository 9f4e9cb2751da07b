/**
 * Shared shapes between the resolver, the planner and the renderers. Plain data, JSON-serialisable.
 */
import type { ComponentDefinition, InterfaceDefinition } from './schema/definition.js';
import type { Mode } from './schema/common.js';

/**
 * Where a definition was read from, for messages that point at a line: a folder-registry file and the line of each
 * key under `services` (`services.api.volumes.0` → 12). The built-in catalog and registry services have none.
 */
export interface DefinitionOrigin {
  file: string;
  lines: Record<string, number>;
}

/** One version of one component as a registry offers it. */
export interface CatalogEntry {
  name: string;
  version: string;
  /** `sha256:<hex>` of the canonical JSON of `definition`. */
  digest: string;
  yanked: boolean;
  definition: ComponentDefinition;
  origin?: DefinitionOrigin;
}

/**
 * What the resolver knows of one registry. Builtin and folder registries are `complete` (every name they
 * hold is in `components`); a remote registry fills `components` as names are fetched, so a name absent from
 * an incomplete snapshot means "not fetched yet", not "not there".
 */
export interface RegistrySnapshot {
  name: string;
  kind: 'builtin' | 'folder' | 'remote';
  complete: boolean;
  /** name → versions (any order). A name fetched and found absent maps to []. */
  components: Map<string, CatalogEntry[]>;
  interfaces: Map<string, InterfaceDefinition>;
}

/** Why a component is in the stack (for `hsm why` and failure chains). */
export type Reason =
  | { kind: 'manifest'; range: string }
  | { kind: 'group'; group: string }
  | { kind: 'requires'; by: string; byVersion: string; range: string }
  | { kind: 'interface'; by: string; byVersion: string; interface: string };

export interface ResolvedComponent {
  name: string;
  version: string;
  registry: string;
  digest: string;
  definition: ComponentDefinition;
  mode: Mode;
  /** Dev checkout path as the user gave it (relative to the project, or absolute); default `packages/<name>`. */
  checkout: string;
  reasons: Reason[];
  origin?: DefinitionOrigin;
}

export interface Resolution {
  /** Sorted by name. */
  components: ResolvedComponent[];
  /** interface → members in the stack that provide it, sorted. */
  interfaces: Record<string, string[]>;
}
