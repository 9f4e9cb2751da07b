/**
 * The registry service's protocol (SPEC §9) as typed calls, one request each (RegistryHttp carries them):
 * nothing here decides what to ask for or keeps anything (remote-registry.ts decides, registry-cache.ts keeps).
 * Every answer is checked before it is returned: a definition is validated with the shared schema and hashed
 * here, and must hash to the digest the service states (HSM_DIGEST_MISMATCH otherwise). Every body is parsed with
 * the response schema the service itself answers with (libs/core registry-api): an answer of another shape is
 * HSM_REGISTRY_ERROR naming the registry, the URL and the first wrong field.
 */
import { ErrorCodes, HsmError, NAME_RE, digestOf, satisfies, type CatalogEntry, type ComponentDefinition } from '@hsm/core';
import * as RegistryApi from '@hsm/core/registry-api';
import type { RegistryHttp } from './registry-http.js';
import type { ComponentDocument } from './registry-cache.js';

export interface RemoteSearchHit {
  name: string;
  description: string;
  provides: string[];
  registry: string;
}

export interface PublishOutcome {
  name: string;
  version: string;
  digest: string;
  created: boolean;
}

/** One (name, range) of a POST /v1/resolve; `includeYanked` also considers yanked versions (`hsm outdated`). */
export interface ResolveItem {
  name: string;
  range: string;
  includeYanked?: boolean;
}

/** The answer for one item: the version chosen, or why there is none. */
export type ResolveAnswer = { entry: CatalogEntry } | { missing: 'component' | 'version' };

/** Largest batch the service's POST /v1/resolve accepts. */
export const RESOLVE_BATCH = 200;

export const versionPath = (name: string, version: string) => `/v1/components/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;

export class RegistryClient {
  constructor(
    readonly http: RegistryHttp,
    private readonly registry: string,
  ) {}

  where(path: string): string {
    return this.http.where(path);
  }

  /** `GET /v1/components?q=&provides=` (first 100 hits). */
  async search(text: string, provides?: string): Promise<RemoteSearchHit[]> {
    const q = new URLSearchParams({ limit: '100' });
    if (text) q.set('q', text.slice(0, 100));
    if (provides) q.set('provides', provides);
    const path = `/v1/components?${q}`;
    const { json } = await this.http.json({ method: 'GET', path, idempotent: true });
    const { components } = this.parse(RegistryApi.SearchResponse, json, path);
    return components.map((c) => ({ name: c.name, description: c.description, provides: c.provides, registry: this.registry }));
  }

  /**
   * `GET /v1/components/{name}`, conditional on `etag` when given: `'not-modified'` (304), the document and its
   * ETag, or null when the service has no such component.
   */
  async component(name: string, etag?: string): Promise<'not-modified' | { document: ComponentDocument; etag?: string } | null> {
    if (!NAME_RE.test(name)) return null;
    const path = `/v1/components/${name}`;
    const r = await this.conditionalGet(path, etag, [ErrorCodes.COMPONENT_NOT_FOUND, ErrorCodes.NOT_FOUND]);
    if (r === null || r === 'not-modified') return r;
    const d = this.parse(RegistryApi.ComponentDocument, r.json, path);
    const versions = d.versions.map((v) => ({ version: v.version, digest: v.digest, yanked: v.yanked }));
    return { document: { name: d.name, description: d.description, provides: d.provides, versions }, etag: r.etag };
  }

  /**
   * `GET …/versions/{v}`, conditional on `cachedDigest` when given: `'not-modified'` (304, the cached bytes are
   * current), the verified entry, or null when the service does not have the version.
   */
  async version(name: string, version: string, cachedDigest?: string): Promise<'not-modified' | CatalogEntry | null> {
    const path = versionPath(name, version);
    const r = await this.conditionalGet(path, cachedDigest && `"${cachedDigest}"`, [ErrorCodes.VERSION_NOT_FOUND, ErrorCodes.COMPONENT_NOT_FOUND]);
    if (r === null || r === 'not-modified') return r;
    return this.verifiedEntry(path, this.parse(RegistryApi.VersionDocument, r.json, path), name, version);
  }

  /**
   * A GET, conditional on `validator` (an ETag) when given: null when the service answers with one of the
   * `missing` codes, `'not-modified'` for a 304 (an error without a validator), else the answer.
   */
  private async conditionalGet(path: string, validator: string | undefined, missing: string[]): Promise<'not-modified' | { json: unknown; etag?: string } | null> {
    let r;
    try {
      r = await this.http.json({ method: 'GET', path, idempotent: true, headers: validator ? { 'if-none-match': validator } : {} });
    } catch (e) {
      if (e instanceof HsmError && missing.includes(e.code)) return null;
      throw e;
    }
    if (r.status !== 304) return r;
    if (!validator) throw this.malformed(path, 'answered 304 to an unconditional request');
    return 'not-modified';
  }

  /**
   * `POST /v1/resolve`: the newest version satisfying each item's range (non-yanked unless `includeYanked`), in
   * batches the service accepts; answers in request order. Every entry is verified before any is returned.
   */
  async resolve(items: ResolveItem[]): Promise<ResolveAnswer[]> {
    const out: ResolveAnswer[] = [];
    const path = '/v1/resolve';
    for (let i = 0; i < items.length; i += RESOLVE_BATCH) {
      const batch = items.slice(i, i + RESOLVE_BATCH);
      const body = { components: batch.map((b) => (b.includeYanked ? { name: b.name, range: b.range, include_yanked: true } : { name: b.name, range: b.range })) };
      // a read: safe to repeat after a failure
      const { json } = await this.http.json({ method: 'POST', path, body, idempotent: true });
      const list = this.parse(RegistryApi.ResolveResponse, json, path).components;
      if (list.length !== batch.length) throw this.malformed(path, `expected \`components\` with ${batch.length} entries, got ${list.length}`);
      for (const [k, item] of list.entries()) {
        const asked = batch[k];
        if ('error' in item) {
          // COMPONENT_NOT_FOUND: the name is not here; UNSATISFIABLE: no version for this range
          out.push({ missing: item.error.code === ErrorCodes.COMPONENT_NOT_FOUND ? 'component' : 'version' });
          continue;
        }
        const entry = this.verifiedEntry(path, item, asked.name, item.version);
        if (!satisfies(entry.version, asked.range)) throw this.malformed(path, `${entry.name} ${entry.version} does not satisfy the range asked for (${asked.range})`);
        const yanked = item.yanked === true;
        if (yanked && !asked.includeYanked) throw this.malformed(path, `${entry.name} ${entry.version} is yanked, which was not asked for`);
        out.push({ entry: { ...entry, yanked } });
      }
    }
    return out;
  }

  /** Checks a token against the service (`GET /v1/tokens` needs any valid token); throws HSM_AUTH when refused. */
  async verifyToken(): Promise<void> {
    try {
      this.parse(RegistryApi.TokenList, (await this.http.json({ method: 'GET', path: '/v1/tokens', idempotent: true })).json, '/v1/tokens');
    } catch (e) {
      if (e instanceof HsmError && (e.code === ErrorCodes.UNAUTHENTICATED || e.code === ErrorCodes.FORBIDDEN || e.code === ErrorCodes.AUTH)) {
        throw new HsmError(ErrorCodes.AUTH, `registry ${this.registry} rejected the token: ${e.message}`, { hint: 'check the token (ask the registry operator for one with the scopes you need)', exitCode: 1 });
      }
      throw e;
    }
  }

  /** `PUT /v1/components/{name}/versions/{version}` with the (already validated) definition. */
  async publish(definition: { name: string; version: string }): Promise<PublishOutcome> {
    const path = versionPath(definition.name, definition.version);
    // PUT of the same bytes is idempotent on the service (200), so a lost answer may be retried safely
    const r = await this.http.json({ method: 'PUT', path, body: definition, idempotent: true });
    const { digest } = this.parse(RegistryApi.PublishResponse, r.json, path);
    if (digest !== digestOf(definition)) {
      throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.where(path)} recorded ${definition.name} ${definition.version} with digest ${digest}, not ${digestOf(definition)}`, {
        hint: 'the service stored different content than was sent: ask its operator',
      });
    }
    return { name: definition.name, version: definition.version, digest, created: r.status === 201 };
  }

  /** A version document the schema accepted → a catalog entry whose digest is computed here, never taken on trust. */
  private verifiedEntry(path: string, doc: { digest: string; definition: ComponentDefinition }, name: string, version: string): CatalogEntry {
    const { definition } = doc;
    if (definition.name !== name || definition.version !== version) {
      throw this.malformed(path, `asked for ${name} ${version}, got ${definition.name} ${definition.version}`);
    }
    const digest = digestOf(definition);
    if (digest !== doc.digest) {
      throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.where(path)} serves content for ${name} ${version} that does not match its own digest`, {
        details: [`stated: ${doc.digest}`, `content: ${digest}`],
        hint: 'the registry was changed behind its API: ask its operator; nothing was changed here',
      });
    }
    return { name, version, digest, yanked: false, definition };
  }

  /** The body parsed with its shared response schema; another shape is HSM_REGISTRY_ERROR naming the field. */
  private parse<S extends Parameters<typeof RegistryApi.checkResponse>[0]>(schema: S, json: unknown, path: string): ReturnType<S['parse']> {
    const r = RegistryApi.checkResponse(schema, json);
    if (r.ok) return r.value as ReturnType<S['parse']>;
    // a definition the shared schema refuses: published around the service's own check, or by a newer hsm
    if (/(^|\.)definition($|[.[])/.test(r.field)) {
      throw new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.where(path)} serves an invalid definition: \`${r.field}\`: ${r.message}`, { hint: 'ask the registry operator; nothing was changed here' });
    }
    throw this.malformed(path, `\`${r.field}\`: ${r.message}`);
  }

  malformed(path: string, what: string): HsmError {
    return new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.where(path)} sent an unexpected answer: ${what}`, {
      hint: 'check that the URL in hsm.yaml points at an hsm registry service',
    });
  }
}
