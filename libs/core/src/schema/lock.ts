/**
 * `hsm.lock`: the resolved set (name → exact version, registry, digest) and which pyproject entries hsm owns.
 * JSON, keys sorted, so the same resolution gives the same bytes. Personal dev mode never changes it.
 */
import * as z from 'zod';
import { Name, Version } from './common.js';

export const LockedComponent = z.strictObject({
  version: Version,
  registry: z.string().min(1).max(128),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});
export type LockedComponent = z.infer<typeof LockedComponent>;

export const Lockfile = z.strictObject({
  version: z.literal(1),
  components: z.record(Name, LockedComponent),
  /**
   * Entries hsm added to pyproject.toml and may therefore rewrite or remove: dependency names (normalised
   * PEP 503) and `[[tool.uv.index]]` names. hsm owns the `[tool.uv.sources]` entry of every dependency it owns.
   */
  pyproject: z
    .strictObject({
      dependencies: z.array(z.string()).optional(),
      indexes: z.array(z.string()).optional(),
      /** What hsm created and removes again once empty (see PyprojectCreated in pyproject/render-pyproject.ts). */
      created: z.array(z.enum(['project.dependencies', 'dependencies-expanded', 'tool.uv.sources', 'final-newline'])).optional(),
    })
    .optional(),
});
export type Lockfile = z.infer<typeof Lockfile>;
