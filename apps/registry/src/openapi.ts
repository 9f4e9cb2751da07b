/**
 * The OpenAPI document served at /docs, generated from the zod schemas the service validates requests with and
 * builds its responses as (RegistryApi in @hsm/core; issue 10 item 7). Rules the JSON parser adds for every
 * body (no NUL characters, no `__proto__` keys) are written into the body schemas here, so the document states
 * all that the service enforces; `methodNotAllowed` answers 405 for any method a documented path lacks.
 */
import { z } from 'zod';
import { ComponentDefinition, ComponentRequirement, Name, Version } from '@hsm/core';
import * as RegistryApi from '@hsm/core/registry-api';

type Json = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const uri = (id: string) => `#/components/schemas/${id}`;

/** Strings in a body: no NUL (PostgreSQL's JSONB cannot hold one). */
const NO_NUL = '^[^\\u0000]*$';

/** Any JSON value the body parser accepts (Compose keys pass through unchecked). */
const JsonValue = {
  anyOf: [
    { type: 'null' },
    { type: 'boolean' },
    { type: 'number' },
    { type: 'string', pattern: NO_NUL },
    { type: 'array', items: ref('JsonValue') },
    { type: 'object', propertyNames: { pattern: NO_NUL, not: { const: '__proto__' } }, additionalProperties: ref('JsonValue') },
  ],
};

/** Adds the body parser's rules to a generated schema, in place: string patterns, key rules, `{}` → JsonValue. */
function bodyRules(s: unknown): void {
  if (Array.isArray(s)) return s.forEach(bodyRules);
  if (!s || typeof s !== 'object') return;
  const o = s as Json;
  if (o.type === 'string' && o.pattern === undefined) o.pattern = NO_NUL;
  if (o.type === 'object') o.propertyNames = { ...((o.propertyNames as Json) ?? {}), not: { const: '__proto__' } };
  if (o.type === 'object' && (o.propertyNames as Json).pattern === undefined) (o.propertyNames as Json).pattern = NO_NUL;
  for (const [k, v] of Object.entries(o)) {
    if ((k === 'additionalProperties' || k === 'items') && v && typeof v === 'object' && Object.keys(v).length === 0) o[k] = ref('JsonValue');
    else if (k !== 'propertyNames') bodyRules(v);
  }
}

function generate(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, s] of Object.entries(schemas)) registry.add(s, { id });
  const out = z.toJSONSchema(registry, { io, uri, unrepresentable: 'any', override: statePatterns }).schemas as Record<string, Json>;
  for (const s of Object.values(out)) {
    delete s.$schema;
    delete s.$id;
  }
  return out;
}

const bare = (pattern: string) => pattern.slice(1, -1);

/**
 * Patterns for the definition's rules that zod holds as refinements or lookaheads (which JSON Schema cannot
 * state, or which property-based generators cannot generate from): the same rules, spelt as plain patterns.
 */
function statePatterns(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  const j = ctx.jsonSchema;
  if (ctx.zodSchema === Name) j.pattern = RegistryApi.COMPONENT_NAME;
  else if (ctx.zodSchema === Version) j.pattern = RegistryApi.EXACT_VERSION;
  else if (ctx.zodSchema === ComponentRequirement) j.pattern = `^${bare(RegistryApi.COMPONENT_NAME)}(?:@${bare(RegistryApi.RANGE)})?$`;
  else if (j.format === 'uri' && j.pattern === undefined) j.pattern = '^https?://[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*(?::[0-9]{1,4})?(?:/[A-Za-z0-9._~-]*)*$';
}

/** One inline schema for a parameter (no $refs: parameters are small). */
function inline(s: z.ZodType): Json {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const ERROR_STATUSES: Record<number, string> = {
  400: 'invalid input (`HSM_REQUEST_INVALID`, `HSM_DEFINITION_INVALID`)',
  401: 'no token, or an unknown / revoked / expired one (`HSM_UNAUTHENTICATED`)',
  403: 'the token lacks a scope, or the component belongs to another team (`HSM_FORBIDDEN`)',
  404: 'no such component or version (`HSM_COMPONENT_NOT_FOUND`, `HSM_VERSION_NOT_FOUND`, `HSM_NOT_FOUND`)',
  409: 'the version exists with other content (`HSM_VERSION_EXISTS`), or the name is too close to another (`HSM_NAME_TAKEN`)',
  413: 'the body is larger than HSM_REGISTRY_BODY_LIMIT (`HSM_BODY_TOO_LARGE`)',
  415: 'the body is not `application/json` in UTF-8 (`HSM_UNSUPPORTED_MEDIA_TYPE`)',
  429: 'too many writes (`HSM_RATE_LIMITED`); see Retry-After',
  500: 'a bug (`HSM_INTERNAL`); details are in the service log only',
  503: 'the database is not reachable (`HSM_DATABASE_UNAVAILABLE`); see Retry-After',
};
const retryAfter = { 'Retry-After': { description: 'seconds to wait', schema: { type: 'string', pattern: '^[0-9]+$' } } };
const errors = (...codes: number[]) =>
  Object.fromEntries([...codes, 500, 503].map((c) => [String(c), { description: ERROR_STATUSES[c], ...(c === 429 || c === 503 ? { headers: retryAfter } : {}), ...json(ref('Error')) }]));
const etag = { ETag: { description: 'entity tag of the document', schema: { type: 'string' } } };

export function openApiDocument(): Json {
  const requestSchemas = generate({ ComponentDefinition, ResolveRequest: RegistryApi.ResolveRequest, YankRequest: RegistryApi.YankRequest, CreateTokenRequest: RegistryApi.CreateTokenRequest }, 'input');
  for (const s of Object.values(requestSchemas)) bodyRules(s);
  // the refinement zod cannot express: a component has python, or at least one service
  requestSchemas.ComponentDefinition.anyOf = [{ required: ['python'] }, { required: ['services'], properties: { services: { minProperties: 1 } } }];
  // and the token's: a publish token belongs to a team
  requestSchemas.CreateTokenRequest.anyOf = [{ required: ['team'] }, { properties: { scopes: { not: { contains: { const: 'publish' } } } } }];
  const responseSchemas = generate(
    {
      ComponentDefinition,
      Error: RegistryApi.ErrorBody,
      VersionSummary: RegistryApi.VersionSummary,
      ComponentDocument: RegistryApi.ComponentDocument,
      VersionDocument: RegistryApi.VersionDocument,
      SearchResponse: RegistryApi.SearchResponse,
      ResolveResponse: RegistryApi.ResolveResponse,
      PublishResponse: RegistryApi.PublishResponse,
      YankResponse: RegistryApi.YankResponse,
      Token: RegistryApi.Token,
      CreatedToken: RegistryApi.CreatedToken,
      TokenList: RegistryApi.TokenList,
      Health: RegistryApi.HealthResponse,
      Ready: RegistryApi.ReadyResponse,
    },
    'output',
  );
  // a stored definition is one that was accepted: the response side refers to the request-side schema
  delete responseSchemas.ComponentDefinition;
  const lookupName = { name: 'name', in: 'path', required: true, schema: inline(RegistryApi.LookupName) };
  const publishName = { name: 'name', in: 'path', required: true, schema: inline(RegistryApi.ComponentName) };
  const version = { name: 'version', in: 'path', required: true, schema: inline(RegistryApi.ExactVersion) };
  const ifNoneMatch = { name: 'If-None-Match', in: 'header', required: false, schema: inline(RegistryApi.IfNoneMatch) };
  const searchParams = Object.entries(RegistryApi.SearchQuery.shape).map(([name, s]) => ({ name, in: 'query', required: false, schema: inline(s as z.ZodType) }));
  const bearer = [{ bearer: [] }];
  const readSecurity = [{}, { bearer: [] }];
  return {
    openapi: '3.1.0',
    info: { title: 'hsm registry', version: '1', description: 'Team registry of hsm component definitions (SPEC §9). See docs/registry.md.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...requestSchemas, ...responseSchemas, JsonValue },
    },
    paths: {
      '/v1/components': {
        get: { summary: 'Search components by text and/or provided interface', security: readSecurity, parameters: searchParams, responses: { '200': json(ref('SearchResponse')), ...errors(400, 401, 403) } },
      },
      '/v1/components/{name}': {
        get: {
          summary: 'The component and its versions (ETag / If-None-Match)',
          security: readSecurity,
          parameters: [lookupName, ifNoneMatch],
          responses: { '200': { headers: etag, ...json(ref('ComponentDocument')) }, '304': { description: 'not modified', headers: etag }, ...errors(400, 401, 403, 404) },
        },
      },
      '/v1/components/{name}/versions/{version}': {
        get: {
          summary: 'One version: definition and digest (immutable; ETag / If-None-Match)',
          security: readSecurity,
          parameters: [lookupName, version, ifNoneMatch],
          responses: { '200': { headers: etag, ...json(ref('VersionDocument')) }, '304': { description: 'not modified', headers: etag }, ...errors(400, 401, 403, 404) },
        },
        put: {
          summary: 'Publish a version (scope publish; the first publisher’s team owns the name)',
          description: 'The definition’s `name` and `version` must equal the path’s (400 otherwise).',
          security: bearer,
          parameters: [publishName, version],
          requestBody: { required: true, ...json(ref('ComponentDefinition')) },
          responses: {
            '201': { description: 'published', ...json(ref('PublishResponse')) },
            '200': { description: 'the same definition was already published (idempotent)', ...json(ref('PublishResponse')) },
            ...errors(400, 401, 403, 409, 413, 415, 429),
          },
        },
      },
      '/v1/components/{name}/versions/{version}/yank': {
        post: {
          summary: 'Yank a version (owners)',
          security: bearer,
          parameters: [lookupName, version],
          requestBody: { required: false, ...json(ref('YankRequest')) },
          responses: { '200': json(ref('YankResponse')), ...errors(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      '/v1/components/{name}/versions/{version}/unyank': {
        post: { summary: 'Un-yank a version (owners)', security: bearer, parameters: [lookupName, version], responses: { '200': json(ref('YankResponse')), ...errors(400, 401, 403, 404, 413, 415, 429) } },
      },
      '/v1/resolve': {
        post: {
          summary: 'Batch resolve: newest non-yanked version matching each range, in request order',
          security: readSecurity,
          requestBody: { required: true, ...json(ref('ResolveRequest')) },
          responses: { '200': json(ref('ResolveResponse')), ...errors(400, 401, 403, 413, 415) },
        },
      },
      '/v1/tokens': {
        post: {
          summary: 'Create a token (admin)',
          security: bearer,
          requestBody: { required: true, ...json(ref('CreateTokenRequest')) },
          responses: { '201': json(ref('CreatedToken')), ...errors(400, 401, 403, 413, 415, 429) },
        },
        get: { summary: 'List tokens (admin: all; others: their team’s)', security: bearer, responses: { '200': json(ref('TokenList')), ...errors(400, 401, 403) } },
      },
      '/v1/tokens/{id}': {
        delete: {
          summary: 'Revoke a token (admin, or the token itself)',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: inline(RegistryApi.TokenId) }],
          responses: { '200': json(ref('Token')), ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json(ref('Health')), ...errors() } } },
      '/readyz': { get: { summary: 'Readiness (database reachable)', responses: { '200': json(ref('Ready')), ...errors() } } },
    },
  };
}
