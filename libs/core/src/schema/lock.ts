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

/** `pyproject.file` of hsm.lock: a pyproject.toml inside the project, by its relative posix path. */
const PyprojectFile = z
  .string()
  .regex(/^(?:[^/\\]+\/)*pyproject\.toml$/)
  .refine((f) => !f.split('/').some((s) => s === '..' || s === '.'), 'a path inside the project');

/**
 * `pyproject.file` of an hsm.lock text (null: none, or not readable — parseLock reports that), for the project
 * reader, which reads that file before the lock is parsed.
 */
export function lockedPyprojectFile(lockText: string | null): string | null {
  if (lockText === null) return null;
  try {
    const file = (JSON.parse(lockText) as { pyproject?: { file?: unknown } }).pyproject?.file;
    return PyprojectFile.safeParse(file).success ? (file as string) : null;
  } catch {
    return null;
  }
}

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
      /**
       * The pyproject.toml these entries are in, from hsm.yaml (absent: `pyproject.toml`): a uv workspace member's,
       * `backend/pyproject.toml`, when `python.package` names it — so a switch to another member takes them back out
       * of this one (issue 9 item 1). A relative path inside the project, never `..`.
       */
      file: PyprojectFile.optional(),
      /** What hsm created and removes again once empty (see PyprojectCreated in pyproject/render-pyproject.ts). */
      created: z.array(z.enum(['project.dependencies', 'dependencies-expanded', 'tool.uv.sources', 'final-newline'])).optional(),
    })
    .optional(),
});
export type Lockfile = z.infer<typeof Lockfile>;
