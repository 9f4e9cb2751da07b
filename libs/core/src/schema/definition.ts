/**
 * A component definition: one version of one registry entry (SPEC §4). The same schema validates definitions
 * in the CLI, in folder registries and at publish time in the registry service.
 */
import * as z from 'zod';
import { Name, Version, Range, EnvName, RelativePath } from './common.js';
import { OptionName, OptionSpec } from '../options/option-spec.js';
import { checkOptionReferences } from '../options/references.js';

/** `qdrant`, `qdrant@^1.12` */
export const ComponentRequirement = z
  .string()
  .max(300)
  .regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}(?:@.+)?$/, 'must be `name` or `name@range`')
  .refine((s) => {
    const at = s.indexOf('@');
    return at < 0 || Range.safeParse(s.slice(at + 1)).success;
  }, 'the part after `@` must be a semver range');

export const InterfaceRequirement = z.strictObject({ interface: Name });

export const Requirement = z.union([ComponentRequirement, InterfaceRequirement]);
export type Requirement = z.infer<typeof Requirement>;

/** PEP 508 distribution name. */
export const DistributionName = z
  .string()
  .max(200)
  .regex(/^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/, 'must be a Python distribution name (PEP 508)');

export const PythonIndex = z.strictObject({
  name: Name,
  url: z.url({ protocol: /^https?$/ }),
});

export const PythonSource = z.strictObject({
  git: z.string().min(1).max(2048).optional(),
  ref: z.string().min(1).max(256).optional(),
  subdirectory: RelativePath.optional(),
});

export const PythonSpec = z.strictObject({
  package: DistributionName,
  /** PEP 508 requirement for prod; default `<package>==<version>`. */
  requirement: z.string().min(1).max(500).optional(),
  index: PythonIndex.optional(),
  source: PythonSource.optional(),
});
export type PythonSpec = z.infer<typeof PythonSpec>;

/**
 * A Compose service fragment. Compose keys are checked against the Compose Specification when the file is
 * rendered; here only what hsm itself relies on is typed. `dev` is merged over the service in dev mode.
 */
const ServiceBody = z.looseObject({
  image: z.string().min(1).max(512).optional(),
  ports: z.array(z.union([z.string(), z.number(), z.record(z.string(), z.unknown())])).optional(),
  volumes: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
  build: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});
export const ServiceFragment = ServiceBody.extend({
  dev: ServiceBody.optional(),
});
export type ServiceFragment = z.infer<typeof ServiceFragment>;

/** Compose service names: what Compose accepts, kept conservative. */
export const ServiceName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be a Compose service name ([a-z0-9_.-])');

/** Typed component options (SPEC §14, issue 11): declared here, set per component under `with:` in the manifest. */
export { OptionName, OptionSpec, type OptionSpecValue } from '../options/option-spec.js';

export const ComponentDefinition = z
  .strictObject({
    name: Name,
    version: Version,
    description: z.string().max(1000).optional(),
    homepage: z.string().max(2048).optional(),
    provides: z.array(Name).max(64).optional(),
    requires: z.array(Requirement).max(128).optional(),
    conflicts: z.array(Name).max(128).optional(),
    python: PythonSpec.optional(),
    services: z.record(ServiceName, ServiceFragment).optional(),
    env: z.record(EnvName, z.string().max(4096)).optional(),
    options: z.record(OptionName, OptionSpec).optional(),
  })
  .refine((d) => d.python !== undefined || (d.services !== undefined && Object.keys(d.services).length > 0), {
    message: 'a component needs at least one of `python` and `services`',
    path: [],
  })
  // every `${{ options.NAME }}` names a declared option (at load and at publish: the field is named)
  .superRefine((d, ctx) => {
    for (const problem of checkOptionReferences(d)) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  });
export type ComponentDefinition = z.infer<typeof ComponentDefinition>;

/** An interface description in a folder registry: `<registry>/groups/<interface>.yaml`. */
export const InterfaceDefinition = z.strictObject({
  name: Name,
  description: z.string().max(1000).optional(),
});
export type InterfaceDefinition = z.infer<typeof InterfaceDefinition>;

/** Splits `name@range` into its parts (range `*` when absent). */
export function parseComponentRequirement(s: string): { name: string; range: string } {
  const at = s.indexOf('@');
  return at < 0 ? { name: s, range: '*' } : { name: s.slice(0, at), range: s.slice(at + 1) };
}
