/**
 * What the registry service answers (SPEC §9, docs/registry.md): the JSON shapes of every response, defined
 * once. The service builds its responses as these types, its OpenAPI document is generated from them, and a
 * client parses responses with them.
 */
import * as z from 'zod';
import { ComponentDefinition } from '../schema/definition.js';
import { Scope } from './requests.js';
import { CAPABILITIES } from '../safety/capabilities.js';

export const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const Timestamp = z.iso.datetime();

export const ErrorBody = z.object({
  error: z.object({ code: z.string().regex(/^HSM_[A-Z_]+$/), message: z.string() }),
});
export type ErrorBody = z.output<typeof ErrorBody>;

export const VersionSummary = z.object({
  version: z.string(),
  digest: Digest,
  yanked: z.boolean(),
  yank_reason: z.string().optional(),
  published_at: Timestamp,
  /** What a project must allow (`components.<name>.allow` in hsm.yaml) to run this version (docs/docker-workflow.md). */
  capabilities: z.array(z.enum(CAPABILITIES)),
});
export type VersionSummary = z.output<typeof VersionSummary>;

export const ComponentDocument = z.object({
  name: z.string(),
  team: z.string(),
  description: z.string(),
  provides: z.array(z.string()),
  /** The newest non-yanked version's option declarations (name → type, default, enum, …; docs/registry.md). */
  options: z.record(z.string(), z.unknown()),
  /** Newest first (semver order). */
  versions: z.array(VersionSummary),
});
export type ComponentDocument = z.output<typeof ComponentDocument>;

export const VersionDocument = z.object({
  name: z.string(),
  version: z.string(),
  digest: Digest,
  published_at: Timestamp,
  definition: ComponentDefinition,
});
export type VersionDocument = z.output<typeof VersionDocument>;

export const SearchHit = z.object({ name: z.string(), description: z.string(), provides: z.array(z.string()), options: z.record(z.string(), z.unknown()), team: z.string() });
export const SearchResponse = z.object({ components: z.array(SearchHit), next_cursor: z.string().nullable() });
export type SearchResponse = z.output<typeof SearchResponse>;

export const ResolvedEntry = VersionDocument.extend({ range: z.string(), yanked: z.boolean().optional() });
export const UnresolvedEntry = z.object({
  name: z.string(),
  range: z.string(),
  error: z.object({ code: z.enum(['HSM_COMPONENT_NOT_FOUND', 'HSM_UNSATISFIABLE']), message: z.string() }),
});
/** One entry per requested component, in request order. */
export const ResolveResponse = z.object({ components: z.array(z.union([ResolvedEntry, UnresolvedEntry])) });
export type ResolveResponse = z.output<typeof ResolveResponse>;

export const PublishResponse = z.object({ name: z.string(), version: z.string(), digest: Digest, published_at: Timestamp });
export type PublishResponse = z.output<typeof PublishResponse>;

export const YankResponse = z.object({ name: z.string(), version: z.string(), yanked: z.boolean(), yank_reason: z.string().nullable() });
export type YankResponse = z.output<typeof YankResponse>;

export const Token = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(Scope),
  team: z.string().nullable(),
  created_at: Timestamp,
  expires_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});
export type Token = z.output<typeof Token>;

/** The answer to POST /v1/tokens: the only time the secret is shown. */
export const CreatedToken = Token.extend({ token: z.string().regex(/^hsm_[A-Za-z0-9_-]{43}$/) });
export type CreatedToken = z.output<typeof CreatedToken>;

export const TokenList = z.object({ tokens: z.array(Token) });
export type TokenList = z.output<typeof TokenList>;

export const HealthResponse = z.object({ status: z.literal('ok') });
export const ReadyResponse = z.object({ status: z.literal('ready') });
