/** `hsm.yaml` (SPEC §3) and the personal overlay `hsm.local.yaml`. */
import * as z from 'zod';
import { Name, Range, Mode, UserPath } from './common.js';
import { CAPABILITIES } from '../safety/capabilities.js';
import { didYouMean } from '../did-you-mean.js';

/** A capability a definition may use in this project (issue 16): a closed list, with "did you mean". */
export const AllowedCapability = z.enum(CAPABILITIES, {
  error: (issue) => `unknown capability \`${String(issue.input)}\`${didYouMean(String(issue.input), CAPABILITIES)}; one of: ${CAPABILITIES.join(', ')}`,
});

/** `components.<name>.with`: option name → a scalar; names and types are checked against the definition later. */
export const OptionValues = z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()]));

export const RegistryRef = z.union([z.strictObject({ name: Name, url: z.url({ protocol: /^https?$/ }) }), z.strictObject({ name: Name, path: UserPath })]);
export type RegistryRef = z.infer<typeof RegistryRef>;

export const ComponentEntry = z.strictObject({
  version: Range.optional(),
  mode: Mode.optional(),
  path: UserPath.optional(),
  registry: Name.optional(),
  /** Option values (issue 11), checked against the component's `options` once it is resolved. */
  with: OptionValues.optional(),
  /** Capabilities its definition may use (docs/docker-workflow.md "What hsm refuses to run"). */
  allow: z.array(AllowedCapability).max(CAPABILITIES.length).optional(),
});
export type ComponentEntry = z.infer<typeof ComponentEntry>;

export const GroupOne = z.strictObject({
  policy: z.literal('one'),
  use: Name,
});
export const GroupMany = z.strictObject({
  policy: z.literal('many'),
  min: z.int().min(0).max(1000).optional(),
  max: z.int().min(1).max(1000).optional(),
  use: z.array(Name).max(1000),
});
export const Group = z.discriminatedUnion('policy', [GroupOne, GroupMany]);
export type Group = z.infer<typeof Group>;

export const ComposeSettings = z.strictObject({
  link: z.enum(['include', 'env', 'none']).optional(),
  project_name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/)
    .optional(),
  /**
   * Host address the stack's loopback ports publish on: `127.0.0.1` (default) or `0.0.0.0`, which exposes every
   * service of the stack to the network (issue 11).
   */
  bind: z.enum(['127.0.0.1', '0.0.0.0']).optional(),
  /** Planned (SPEC §14): host-port offset for parallel worktrees. */
  port_offset: z.int().min(0).max(60000).optional(),
});

/**
 * `python:` — where hsm puts the Python dependencies. `package` selects a uv workspace member by its project name,
 * as `uv add --package NAME` does: needed at a virtual workspace root, which has no [project] of its own.
 */
export const PythonSettings = z.strictObject({
  package: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/, "must be a project name from a member's [project] name, like `backend`"),
});

export const Manifest = z.strictObject({
  version: z.literal(1),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a project name like `rag-app`'),
  builtin: z.boolean().optional(),
  registries: z.array(RegistryRef).max(32).optional(),
  // `redis:` with nothing after it parses as null: same as `{}`.
  components: z.record(Name, z.union([ComponentEntry, z.null()])).optional(),
  groups: z.record(Name, Group).optional(),
  compose: ComposeSettings.optional(),
  python: PythonSettings.optional(),
});
export type Manifest = z.infer<typeof Manifest>;

export const OverlayEntry = z.strictObject({
  mode: Mode.optional(),
  path: UserPath.optional(),
  /** Personal option values (a port free on this machine); they win over hsm.yaml's, key by key. */
  with: OptionValues.optional(),
});
export const LocalOverlay = z.strictObject({
  components: z.record(Name, z.union([OverlayEntry, z.null()])).optional(),
});
export type LocalOverlay = z.infer<typeof LocalOverlay>;
