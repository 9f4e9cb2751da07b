/**
 * The OpenAPI document served at /docs. Request and definition schemas come from the same zod schemas that
 * validate requests (z.toJSONSchema), so the document cannot drift from what the service accepts.
 */
import { z } from 'zod';
import { CAPABILITIES, ComponentDefinition } from '@hsm/core';
import { CreateTokenBody } from './tokens/token.controller.js';
import { ResolveBody, YankBody } from './components/component.controller.js';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: `error (${c})`, ...json(ref('Error')) }]));
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'string' } };
const bearer = [{ bearer: [] }];

function schemaOf(s: z.ZodType): object {
  const out = z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

export function openApiDocument(): Record<string, unknown> {
  const VersionSummary = {
    type: 'object',
    required: ['version', 'digest', 'yanked', 'published_at', 'capabilities'],
    properties: {
      version: { type: 'string' },
      digest: { type: 'string', example: 'sha256:…' },
      yanked: { type: 'boolean' },
      yank_reason: { type: 'string' },
      published_at: { type: 'string', format: 'date-time' },
      capabilities: {
        type: 'array',
        items: { type: 'string', enum: [...CAPABILITIES] },
        description: 'What a project must allow (`components.<name>.allow` in hsm.yaml) to run this version',
      },
    },
  };
  const VersionDocument = {
    type: 'object',
    required: ['name', 'version', 'digest', 'published_at', 'definition'],
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      digest: { type: 'string' },
      published_at: { type: 'string', format: 'date-time' },
      definition: ref('ComponentDefinition'),
    },
  };
  const Token = {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      prefix: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string', enum: ['read', 'publish', 'admin'] } },
      team: { type: ['string', 'null'] },
      created_at: { type: 'string', format: 'date-time' },
      expires_at: { type: ['string', 'null'], format: 'date-time' },
      revoked_at: { type: ['string', 'null'], format: 'date-time' },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'hsm registry', version: '1', description: 'Team registry of hsm component definitions (SPEC §9). See docs/registry.md.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ComponentDefinition: schemaOf(ComponentDefinition),
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
        VersionSummary,
        VersionDocument,
        Token,
      },
    },
    paths: {
      '/v1/components': {
        get: {
          summary: 'Search components by text and/or provided interface',
          parameters: [
            { name: 'q', in: 'query', schema: { type: 'string' } },
            { name: 'provides', in: 'query', schema: { type: 'string' } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                components: { type: 'array', items: { type: 'object', properties: { name: {}, description: {}, provides: {}, team: {} } } },
                next_cursor: { type: ['string', 'null'] },
              },
            }),
            ...errors(400, 401),
          },
        },
      },
      '/v1/components/{name}': {
        get: {
          summary: 'The component and its versions (ETag / If-None-Match)',
          parameters: [nameParam, { name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
          responses: {
            '200': json({ type: 'object', properties: { name: {}, team: {}, description: {}, provides: {}, versions: { type: 'array', items: ref('VersionSummary') } } }),
            '304': { description: 'not modified' },
            ...errors(401, 404),
          },
        },
      },
      '/v1/components/{name}/versions/{version}': {
        get: {
          summary: 'One version: definition and digest (immutable)',
          parameters: [nameParam, versionParam],
          responses: { '200': json(ref('VersionDocument')), ...errors(401, 404) },
        },
        put: {
          summary: 'Publish a version (scope publish; the first publisher’s team owns the name)',
          security: bearer,
          parameters: [nameParam, versionParam],
          requestBody: { required: true, ...json(ref('ComponentDefinition')) },
          responses: {
            '201': { description: 'published' },
            '200': { description: 'the same definition was already published (idempotent)' },
            ...errors(400, 401, 403, 409, 413, 429),
          },
        },
      },
      '/v1/components/{name}/versions/{version}/yank': {
        post: {
          summary: 'Yank a version (owners)',
          security: bearer,
          parameters: [nameParam, versionParam],
          requestBody: { required: false, ...json(schemaOf(YankBody.unwrap())) },
          responses: { '200': { description: 'yanked' }, ...errors(401, 403, 404, 429) },
        },
      },
      '/v1/components/{name}/versions/{version}/unyank': {
        post: { summary: 'Un-yank a version (owners)', security: bearer, parameters: [nameParam, versionParam], responses: { '200': { description: 'un-yanked' }, ...errors(401, 403, 404, 429) } },
      },
      '/v1/resolve': {
        post: {
          summary: 'Batch resolve: newest non-yanked version matching each range',
          requestBody: { required: true, ...json(schemaOf(ResolveBody)) },
          responses: { '200': { description: '{ components: [VersionDocument + range | { name, range, error }] } in request order' }, ...errors(400, 401) },
        },
      },
      '/v1/tokens': {
        post: {
          summary: 'Create a token (admin)',
          security: bearer,
          requestBody: { required: true, ...json(schemaOf(CreateTokenBody)) },
          responses: { '201': json({ allOf: [ref('Token'), { type: 'object', properties: { token: { type: 'string' } } }] }), ...errors(400, 401, 403, 429) },
        },
        get: { summary: 'List tokens (admin: all; others: their team’s)', security: bearer, responses: { '200': json({ type: 'object', properties: { tokens: { type: 'array', items: ref('Token') } } }), ...errors(401) } },
      },
      '/v1/tokens/{id}': {
        delete: {
          summary: 'Revoke a token (admin, or the token itself)',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '200': json(ref('Token')), ...errors(401, 403, 404, 429) },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
      '/readyz': { get: { summary: 'Readiness (database reachable)', responses: { '200': { description: 'ready' }, '503': { description: 'database unreachable' } } } },
    },
  };
}
