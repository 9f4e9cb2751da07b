/**
 * The registry service's protocol (SPEC §9) as typed calls, one request each (RegistryHttp carries them):
 * nothing here decides what to ask for or keeps anything (remote-registry.ts decides, registry-cache.ts keeps).
 * Every answer is checked before it is returned: a definition is validated with the shared schema and hashed
 * here, and must hash to the digest the service states (HSM_DIGEST_MISMATCH otherwise); an answer of the wrong
 * shape is HSM_REGISTRY_ERROR naming the registry and the URL.
 */
import { ErrorCodes, HsmError, NAME_RE, checkDefinition, digestOf, satisfies, type CatalogEntry } from '@hsm/core';
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

const notFound = (e: unknown, ...codes: string[]) => e instanceof HsmError && codes.includes(e.code);

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
    const { json } = await this.http.json({ method: 'GET', path: `/v1/components?${q}`, idempotent: true });
    const list = (json as { components?: unknown })?.components;
    if (!Array.isArray(list)) throw this.malformed('/v1/components', 'expected `components: [...]`');
    return list
      .filter((c): c is { name: string; description?: unknown; provides?: unknown } => typeof c?.name === 'string')
      .map((c) => ({
        name: c.name,
        description: typeof c.description === 'string' ? c.description : '',
        provides: Array.isArray(c.provides) ? c.provides.filter((p): p is string => typeof p === 'string') : [],
        registry: this.registry,
      }));
  }

  /**
   * `GET /v1/components/{name}`, conditional on `etag` when given: `'not-modified'` (304), the document and its
   * ETag, or null when the service has no such component.
   */
  async component(name: string, etag?: string): Promise<'not-modified' | { document: ComponentDocument; etag?: string } | null> {
    if (!NAME_RE.test(name)) return null;
    const path = `/v1/components/${name}`;
    let r;
    try {
      r = await this.http.json({ method: 'GET', path, idempotent: true, headers: etag ? { 'if-none-match': etag } : {} });
    } catch (e) {
      if (notFound(e, ErrorCodes.COMPONENT_NOT_FOUND, ErrorCodes.NOT_FOUND)) return null;
      throw e;
    }
    if (r.status === 304) {
      if (!etag) throw this.malformed(path, 'answered 304 to an unconditional request');
      return 'not-modified';
    }
    return { document: this.componentDocument(path, r.json), etag: r.etag };
  }

  /**
   * `GET …/versions/{v}`, conditional on `cachedDigest` when given: `'not-modified'` (304, the cached bytes are
   * current), the verified entry, or null when the service does not have the version.
   */
  async version(name: string, version: string, cachedDigest?: string): Promise<'not-modified' | CatalogEntry | null> {
    const path = versionPath(name, version);
    let r;
    try {
      r = await this.http.json({ method: 'GET', path, idempotent: true, headers: cachedDigest ? { 'if-none-match': `"${cachedDigest}"` } : {} });
    } catch (e) {
      if (notFound(e, ErrorCodes.VERSION_NOT_FOUND, ErrorCodes.COMPONENT_NOT_FOUND)) return null;
      throw e;
    }
    if (r.status === 304) {
      if (!cachedDigest) throw this.malformed(path, 'answered 304 to an unconditional request');
      return 'not-modified';
    }
    return this.verifiedEntry(path, r.json, name, version);
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
      const list = (json as { components?: unknown })?.components;
      if (!Array.isArray(list) || list.length !== batch.length) throw this.malformed(path, `expected \`components\` with ${batch.length} entries`);
      list.forEach((item: unknown, k: number) => {
        const asked = batch[k];
        const err = (item as { error?: { code?: unknown } })?.error;
        if (err && typeof err === 'object') {
          // COMPONENT_NOT_FOUND: the name is not here; UNSATISFIABLE: no version for this range
          if (err.code === ErrorCodes.COMPONENT_NOT_FOUND) return void out.push({ missing: 'component' });
          if (err.code === ErrorCodes.UNSATISFIABLE) return void out.push({ missing: 'version' });
          throw this.malformed(path, `unexpected error ${String(err.code)} for ${asked.name}`);
        }
        const version = (item as { version?: unknown })?.version;
        if (typeof version !== 'string') throw this.malformed(path, `entry ${k} has no version`);
        const entry = this.verifiedEntry(path, item, asked.name, version);
        if (!satisfies(entry.version, asked.range)) throw this.malformed(path, `${entry.name} ${entry.version} does not satisfy the range asked for (${asked.range})`);
        const yanked = (item as { yanked?: unknown }).yanked === true;
        if (yanked && !asked.includeYanked) throw this.malformed(path, `${entry.name} ${entry.version} is yanked, which was not asked for`);
        out.push({ entry: { ...entry, yanked } });
      });
    }
    return out;
  }

  /** Checks a token against the service (`GET /v1/tokens` needs any valid token); throws HSM_AUTH when refused. */
  async verifyToken(): Promise<void> {
    try {
      await this.http.json({ method: 'GET', path: '/v1/tokens', idempotent: true });
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
    const body = r.json as { digest?: unknown };
    const digest = typeof body?.digest === 'string' ? body.digest : '';
    if (digest !== digestOf(definition)) {
      throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.where(path)} recorded ${definition.name} ${definition.version} with digest ${digest || '(none)'}, not ${digestOf(definition)}`, {
        hint: 'the service stored different content than was sent: ask its operator',
      });
    }
    return { name: definition.name, version: definition.version, digest, created: r.status === 201 };
  }

  /** A version document from the service → a catalog entry whose digest is computed here, never taken on trust. */
  private verifiedEntry(path: string, doc: unknown, name: string, version: string): CatalogEntry {
    const d = doc as { name?: unknown; version?: unknown; digest?: unknown; definition?: unknown };
    if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || d.definition === undefined) throw this.malformed(path, `no definition and digest for ${name} ${version}`);
    let definition;
    try {
      definition = checkDefinition(d.definition, `${name} ${version}`);
    } catch (e) {
      throw new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.where(path)} serves an invalid definition: ${(e as Error).message}`, { hint: 'ask the registry operator; nothing was changed here' });
    }
    if (definition.name !== name || definition.version !== version) {
      throw this.malformed(path, `asked for ${name} ${version}, got ${definition.name} ${definition.version}`);
    }
    const digest = digestOf(definition);
    if (digest !== d.digest) {
      throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.where(path)} serves content for ${name} ${version} that does not match its own digest`, {
        details: [`stated: ${d.digest}`, `content: ${digest}`],
        hint: 'the registry was changed behind its API: ask its operator; nothing was changed here',
      });
    }
    return { name, version, digest, yanked: false, definition };
  }

  private componentDocument(path: string, json: unknown): ComponentDocument {
    const d = json as ComponentDocument;
    if (!d || typeof d.name !== 'string' || !Array.isArray(d.versions)) throw this.malformed(path, 'expected a component document');
    const versions = d.versions
      .filter((v) => v && typeof v.version === 'string' && typeof v.digest === 'string')
      .map((v) => ({ version: v.version, digest: v.digest, yanked: v.yanked === true }));
    return { name: d.name, description: typeof d.description === 'string' ? d.description : null, provides: Array.isArray(d.provides) ? d.provides.filter((p) => typeof p === 'string') : [], versions };
  }

  malformed(path: string, what: string): HsmError {
    return new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.where(path)} sent an unexpected answer: ${what}`, {
      hint: 'check that the URL in hsm.yaml points at an hsm registry service',
    });
  }
}
