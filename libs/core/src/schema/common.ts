import * as z from 'zod';
import semver from 'semver';
import { isValidRange } from '../resolver/versions.js';

/** Component and interface names: lowercase [a-z0-9-], 1-64 chars, no leading/trailing/double dash. */
export const NAME_RE = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}$/;
export const Name = z.string().max(64).regex(NAME_RE, 'must be lowercase letters, digits and single dashes, 1-64 chars (e.g. `qdrant-adapter`)');

export const Version = z.string().refine((v) => semver.valid(v) !== null && semver.clean(v) === v, 'must be an exact semver version like `1.4.0`');

export const Range = z.string().max(200).refine(isValidRange, 'must be a semver range like `^1.4`, `>=2 <3` or `*`');

/** A relative, forward-slash path that stays inside the project (no `..` escape, not absolute). */
export const RelativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p) && !p.includes('\\') && !p.includes('\0'), 'must be a relative path using `/`');

/** A path the user controls (dev checkout): relative (may use `..` to reach a sibling checkout) or absolute. */
export const UserPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.includes('\0'), 'must be a path');

export const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const Mode = z.enum(['prod', 'dev']);
export type Mode = z.infer<typeof Mode>;
