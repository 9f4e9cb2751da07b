/**
 * What the registry service accepts (SPEC §9, docs/registry.md): path parameters, query strings and bodies. The
 * service validates with these schemas and its OpenAPI document is generated from them, so the two cannot
 * disagree. Bodies are additionally free of NUL characters, lone surrogates, duplicate keys and `__proto__`
 * keys (checked when the JSON is parsed, before any schema).
 */
import * as z from 'zod';
import semver from 'semver';
import { isValidRange } from '../resolver/versions.js';
import { COMPONENT_NAME, EXACT_VERSION, IF_NONE_MATCH, LOOKUP_NAME, PLAIN_TEXT, RANGE, TIMESTAMP_1970_2999, UUID } from './patterns.js';

const re = (pattern: string) => new RegExp(pattern);

/** Free text: the one rule (PLAIN_TEXT) and its one message. */
const plainText = (s: z.ZodString) => s.regex(re(PLAIN_TEXT), 'must not contain control characters');

export const ComponentName = z.string().min(1).max(64).regex(re(COMPONENT_NAME), 'must be lowercase letters, digits and single dashes, 1-64 chars (e.g. `qdrant-adapter`)');

/** A name in a read path or a resolve entry: any spelling of a component name (lookups normalise it). */
export const LookupName = z.string().min(1).max(100).regex(re(LOOKUP_NAME), 'must be letters, digits, `-`, `_` or `.`, 1-100 chars');

/** An exact version in a path: semver without build metadata, each part below 2³¹. */
export const ExactVersion = z
  .string()
  .min(5)
  .max(128)
  .regex(re(EXACT_VERSION), 'must be an exact semver version like `1.4.0` (each part below 2147483648)')
  .refine((v) => semver.valid(v) === v, 'must be an exact semver version like `1.4.0`');

export const VersionRange = z.string().min(1).max(200).regex(re(RANGE), 'must be a semver range like `^1.4`, `>=2 <3` or `*`').refine(isValidRange, 'must be a semver range like `^1.4`, `>=2 <3` or `*`');

export const IfNoneMatch = z.string().max(2000).regex(re(IF_NONE_MATCH), 'must be one or more entity tags, or `*`');

export const TokenId = z.string().regex(re(UUID), 'must be a token id (a UUID)');

export const Scope = z.enum(['read', 'publish', 'admin']);
export type Scope = z.infer<typeof Scope>;

export const SearchQuery = z.strictObject({
  q: plainText(z.string().max(100)).optional(),
  provides: ComponentName.optional(),
  /** `next_cursor` of the previous page: the last name it held. */
  cursor: ComponentName.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type SearchQuery = z.output<typeof SearchQuery>;

/** `include_yanked`: consider yanked versions too (`hsm outdated` asks whether a locked version was yanked). */
export const ResolveEntryRequest = z.strictObject({ name: LookupName, range: VersionRange.default('*'), include_yanked: z.boolean().optional() });
export const ResolveRequest = z.strictObject({
  components: z.array(ResolveEntryRequest).min(1).max(200),
});
export type ResolveRequest = z.output<typeof ResolveRequest>;

export const YankRequest = z.strictObject({ reason: plainText(z.string().max(500)).optional() });
export type YankRequest = z.output<typeof YankRequest>;

export const CreateTokenRequest = z
  .strictObject({
    name: plainText(z.string().min(1).max(100)),
    team: ComponentName.optional(),
    scopes: z.array(Scope).min(1).max(3),
    expires_at: z.string().regex(re(TIMESTAMP_1970_2999), 'must be an RFC 3339 timestamp between 1970 and 2999, e.g. `2027-01-01T00:00:00Z`').optional(),
  })
  .refine((t) => t.team !== undefined || !t.scopes.includes('publish'), {
    message: 'a publish token belongs to a team (it owns what it publishes)',
    path: ['team'],
  });
export type CreateTokenRequest = z.output<typeof CreateTokenRequest>;
