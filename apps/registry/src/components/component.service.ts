/**
 * The registry's rules: publishing (ownership, immutability, idempotence), yanking, search, documents and
 * batch resolution. Returns response shapes; the controller only validates and delegates.
 *
 * Version documents are immutable, so their serialised bodies are cached in memory without invalidation (safe
 * across instances). Component documents and version lists change on publish and yank: they are cached only
 * while the ChangeFeed is live (PostgreSQL notifications from every instance evict them), and a load that raced
 * with an invalidation is not stored (the epoch check).
 */
import { Injectable } from '@nestjs/common';
import semver from 'semver';
import { checkDefinition, definitionCapabilities, digestOf, ErrorCodes, HsmError, Name, sortKeys, Version, type ComponentDefinition } from '@hsm/core';
import { hasScope, type Principal } from '../auth/principal.js';
import { forbidden } from '../auth/auth.service.js';
import { TokenRepository } from '../tokens/token.repository.js';
import { ComponentRepository, type ComponentHead } from './component.repository.js';
import { normalizeName } from './component-name.js';
import { BoundedCache } from './bounded-cache.js';
import { ChangeFeed } from '../database/change-feed.js';

interface VersionListEntry {
  name: string;
  version: string;
  yanked: boolean;
}

/** A serialised JSON document with its entity tag. */
export interface Document {
  etag: string;
  body: string;
}

export interface PublishResult {
  created: boolean;
  body: { name: string; version: string; digest: string; published_at: string };
}

export interface ResolveRequest {
  name: string;
  range: string;
}

/** Team that owns what the bootstrap admin token publishes. */
export const ADMIN_TEAM = 'admin';

@Injectable()
export class ComponentService {
  private readonly versionDocs = new BoundedCache<string, Document>(20_000);
  private readonly componentDocs = new BoundedCache<string, Document>(5_000);
  private readonly versionLists = new BoundedCache<string, VersionListEntry[]>(5_000);
  private epoch = 0;

  constructor(
    private readonly components: ComponentRepository,
    private readonly tokens: TokenRepository,
    private readonly feed: ChangeFeed,
  ) {
    feed.subscribe((name) => this.invalidate(name));
  }

  private invalidate(normalizedName: string | null): void {
    this.epoch++;
    if (normalizedName === null) {
      this.componentDocs.clear();
      this.versionLists.clear();
    } else {
      this.componentDocs.delete(normalizedName);
      this.versionLists.delete(normalizedName);
    }
  }

  async publish(caller: Principal, name: string, version: string, body: unknown): Promise<PublishResult> {
    const { canonicalName, exactVersion } = checkCoordinates(name, version);
    if (body === undefined) throw new HsmError(ErrorCodes.DEFINITION_INVALID, 'request body: the definition (JSON) is required');
    const definition = checkDefinition(body, 'definition');
    if (definition.name !== canonicalName) {
      throw new HsmError(ErrorCodes.DEFINITION_INVALID, `definition: \`name\`: is ${definition.name}, the URL says ${canonicalName}`);
    }
    if (definition.version !== exactVersion) {
      throw new HsmError(ErrorCodes.DEFINITION_INVALID, `definition: \`version\`: is ${definition.version}, the URL says ${exactVersion}`);
    }
    const team = caller.team ?? (hasScope(caller, 'admin') ? await this.tokens.ensureTeam(ADMIN_TEAM) : null);
    if (!team) throw forbidden('this token belongs to no team, so it cannot own components');
    const head = await this.components.ensureComponent(canonicalName, normalizeName(canonicalName), team.id);
    if (head.name !== canonicalName) {
      throw new HsmError(ErrorCodes.NAME_TAKEN, `\`${canonicalName}\` is too close to the existing component \`${head.name}\``, {
        hint: `publish under \`${head.name}\` or choose a clearly different name`,
      });
    }
    this.assertOwner(caller, head);
    const digest = digestOf(definition);
    const r = await this.components.insertVersion({ componentId: head.id, version: exactVersion, definition, digest, publisherId: caller.tokenId });
    this.invalidate(normalizeName(canonicalName)); // at once here; other instances hear it from the feed
    if (r.inserted) {
      return { created: true, body: { name: canonicalName, version: exactVersion, digest, published_at: r.publishedAt.toISOString() } };
    }
    if (r.existing.digest !== digest) {
      throw new HsmError(ErrorCodes.VERSION_EXISTS, `${canonicalName}@${exactVersion} is already published with different content (${r.existing.digest})`, {
        hint: 'published versions are immutable: bump the version and publish again',
      });
    }
    return { created: false, body: { name: canonicalName, version: exactVersion, digest, published_at: r.existing.publishedAt.toISOString() } };
  }

  async setYanked(caller: Principal, name: string, version: string, yanked: boolean, reason: string | null) {
    const head = await this.components.findHead(normalizeName(name));
    if (!head) throw notFound(name);
    this.assertOwner(caller, head);
    const found = await this.components.setYanked(head.id, version, yanked, reason);
    this.invalidate(normalizeName(head.name));
    if (!found) throw versionNotFound(head.name, version);
    return { name: head.name, version, yanked, yank_reason: yanked ? reason : null };
  }

  async search(q: { q?: string; provides?: string; cursor?: string; limit: number }) {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const hits = await this.components.search({ text: q.q, provides: q.provides, after, limit: q.limit + 1 });
    const page = hits.slice(0, q.limit);
    const next = hits.length > q.limit ? encodeCursor(page[page.length - 1].name) : null;
    return { components: page, next_cursor: next };
  }

  /** The cached component document, if there is a current one (no database access). */
  cachedComponentDocument(name: string): Document | undefined {
    return this.feed.live ? this.componentDocs.get(normalizeName(name)) : undefined;
  }

  /** The cached version document, if any (no database access). */
  cachedVersionDocument(name: string, version: string): Document | undefined {
    return this.versionDocs.get(`${normalizeName(name)}@${version}`);
  }

  /** The component document, or `null` when `ifNoneMatch` still matches (304). */
  async componentDocument(name: string, ifNoneMatch: string | undefined): Promise<Document | null> {
    const key = normalizeName(name);
    let doc = this.feed.live ? this.componentDocs.get(key) : undefined;
    if (!doc) {
      const epoch = this.epoch;
      const c = await this.components.find(key);
      if (!c) throw notFound(name);
      doc = {
        etag: `"c-${c.id.slice(0, 8)}-${c.revision}"`,
        body: JSON.stringify({
          name: c.name,
          team: c.team.name,
          description: c.description,
          provides: c.provides,
          versions: c.versions.map((v) => ({
            version: v.version,
            digest: v.digest,
            yanked: v.yanked,
            ...(v.yanked && v.yankReason ? { yank_reason: v.yankReason } : {}),
            published_at: v.publishedAt.toISOString(),
            // refused nothing at publish: what a project must allow to use this version (issue 16)
            capabilities: definitionCapabilities(v.definition as ComponentDefinition),
          })),
        }),
      };
      if (this.feed.live && epoch === this.epoch) this.componentDocs.set(key, doc);
    }
    return etagMatches(ifNoneMatch, doc.etag) ? null : doc;
  }

  async versionDocument(name: string, version: string): Promise<Document> {
    const key = `${normalizeName(name)}@${version}`;
    const cached = this.versionDocs.get(key);
    if (cached) return cached;
    const v = await this.components.findVersion(normalizeName(name), version);
    if (!v) {
      if (!(await this.components.findHead(normalizeName(name)))) throw notFound(name);
      throw versionNotFound(name, version);
    }
    const doc: Document = {
      etag: `"${v.digest}"`,
      body: JSON.stringify({ name: v.name, version: v.version, digest: v.digest, published_at: v.publishedAt.toISOString(), definition: sortKeys(v.definition) }),
    };
    this.versionDocs.set(key, doc);
    return doc;
  }

  /** Newest non-yanked version matching each range, in request order; misses are reported per entry. */
  async resolve(requests: ResolveRequest[]): Promise<string> {
    const lists = await this.versionListsFor([...new Set(requests.map((r) => normalizeName(r.name)))]);
    const parts = await Promise.all(
      requests.map(async (r) => {
        const all = lists.get(normalizeName(r.name));
        if (!all || all.length === 0) {
          return JSON.stringify({ name: r.name, range: r.range, error: { code: ErrorCodes.COMPONENT_NOT_FOUND, message: `no component named ${r.name}` } });
        }
        const candidates = all.filter((v) => !v.yanked).map((v) => v.version);
        const best = semver.maxSatisfying(candidates, r.range);
        if (best === null) {
          const message = `no non-yanked version of ${all[0].name} satisfies ${r.range}`;
          return JSON.stringify({ name: r.name, range: r.range, error: { code: ErrorCodes.UNSATISFIABLE, message } });
        }
        const doc = await this.versionDocument(r.name, best);
        // splice the cached document instead of re-serialising the definition
        return `{"range":${JSON.stringify(r.range)},${doc.body.slice(1)}`;
      }),
    );
    return `{"components":[${parts.join(',')}]}`;
  }

  private async versionListsFor(keys: string[]): Promise<Map<string, VersionListEntry[]>> {
    const out = new Map<string, VersionListEntry[]>();
    const missing: string[] = [];
    for (const k of keys) {
      const hit = this.feed.live ? this.versionLists.get(k) : undefined;
      if (hit) out.set(k, hit);
      else missing.push(k);
    }
    if (missing.length === 0) return out;
    const epoch = this.epoch;
    const loaded = await this.components.listVersions(missing);
    for (const k of missing) {
      const list = loaded.get(k) ?? [];
      out.set(k, list);
      // unknown names are not cached: a first publish of that name must be visible at once
      if (list.length && this.feed.live && epoch === this.epoch) this.versionLists.set(k, list);
    }
    return out;
  }

  private assertOwner(caller: Principal, head: ComponentHead): void {
    if (hasScope(caller, 'admin')) return;
    if (!hasScope(caller, 'publish')) throw forbidden('token lacks the `publish` scope');
    if (caller.team?.id !== head.team.id) throw forbidden(`${head.name} is owned by team ${head.team.name}`);
  }
}

function checkCoordinates(name: string, version: string): { canonicalName: string; exactVersion: string } {
  if (!Name.safeParse(name).success) {
    throw new HsmError(ErrorCodes.DEFINITION_INVALID, `\`name\`: ${JSON.stringify(name)} must be lowercase letters, digits and single dashes`);
  }
  if (!Version.safeParse(version).success) {
    throw new HsmError(ErrorCodes.DEFINITION_INVALID, `\`version\`: ${JSON.stringify(version)} must be an exact semver version like 1.4.0`);
  }
  return { canonicalName: name, exactVersion: version };
}

export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function encodeCursor(lastName: string): string {
  return Buffer.from(lastName, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!Name.safeParse(name).success) throw new HsmError(ErrorCodes.REQUEST_INVALID, '`cursor`: not a cursor this registry issued');
  return name;
}

function notFound(name: string): HsmError {
  return new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `no component named ${name}`, { hint: `hsm search ${name}` });
}

function versionNotFound(name: string, version: string): HsmError {
  return new HsmError(ErrorCodes.VERSION_NOT_FOUND, `${name} has no version ${version}`, { hint: `hsm info ${name}` });
}
