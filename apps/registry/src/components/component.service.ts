/**
 * The registry's rules: publishing (ownership, immutability, idempotence), yanking, search, documents and
 * batch resolution. Returns response shapes; the controller only validates and delegates.
 *
 * Version documents are immutable, so their serialised bodies are cached in memory without invalidation (safe
 * across instances). Component documents change on publish and yank: they are cached only while the ChangeFeed
 * is live (PostgreSQL notifications from every instance evict them), and a load that raced with an invalidation
 * is not stored (the epoch check). Both share one byte budget (`cacheBytes`, LRU). Batch resolution reads the
 * version lists from the VersionIndex (memory, kept current by the same feed).
 */
import { Inject, Injectable } from '@nestjs/common';
import { checkDefinition, definitionCapabilities, digestOf, ErrorCodes, HsmError, parsedRange, sortKeys, type ComponentDefinition } from '@hsm/core';
import * as RegistryApi from '@hsm/core/registry-api';
import { hasScope, type Principal } from '../auth/principal.js';
import { forbidden } from '../auth/auth.service.js';
import { TokenRepository } from '../tokens/token.repository.js';
import { ComponentRepository, type ComponentHead } from './component.repository.js';
import { normalizeName } from './component-name.js';
import { BoundedCache } from './bounded-cache.js';
import { ChangeFeed } from '../database/change-feed.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';
import { VersionIndex, type IndexedComponent } from './version-index.js';
import { hitJson, SearchIndex } from './search-index.js';

/** A serialised JSON document with its entity tag. */
export interface Document {
  etag: string;
  /** UTF-8 JSON, in its own allocation (not a slice of a shared pool, which eviction could not free). */
  body: Buffer;
}

/** The most the remembered resolve answers may hold (bytes). */
const RESOLVE_ANSWER_BYTES = 32 * 1024 * 1024;

/** What an entry costs beyond its body, key and ETag: the objects around them and the hot path's header lists. */
const ENTRY_OVERHEAD = 640;

export function documentOf(etag: string, json: string): Document {
  const body = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  body.write(json);
  return { etag, body };
}

export interface PublishResult {
  created: boolean;
  body: RegistryApi.PublishResponse;
}

export interface ResolveRequest {
  name: string;
  range: string;
  /** Consider yanked versions too, and say whether the answer is yanked (`hsm outdated` asks so for its lock). */
  include_yanked?: boolean;
}

/** Team that owns what the bootstrap admin token publishes. */
export const ADMIN_TEAM = 'admin';

@Injectable()
export class ComponentService {
  /** Version documents under `v:<name>@<version>`, component documents under `c:<name>`. */
  readonly documents: BoundedCache<string, Document>;
  readonly index: VersionIndex;
  readonly searchIndex: SearchIndex;
  private readonly loading = new Map<string, Promise<Document>>();
  private epoch = 0;
  /**
   * Whole resolve answers by the exact request bytes (the hot path's): a project's cold syncs — each teammate's,
   * every CI run — send the same batch again and again. Any change empties it (an answer depends on every
   * listed component's versions); its own budget, an eighth of the cache's, at most RESOLVE_ANSWER_BYTES.
   */
  private answers: BoundedCache<string, Buffer>;
  private readonly answerBudget: number;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly components: ComponentRepository,
    private readonly tokens: TokenRepository,
    private readonly feed: ChangeFeed,
  ) {
    this.documents = new BoundedCache(config.cacheBytes, (key, doc) => key.length + doc.etag.length + doc.body.length + ENTRY_OVERHEAD);
    this.answerBudget = Math.min(Math.floor(config.cacheBytes / 8), RESOLVE_ANSWER_BYTES);
    this.answers = this.newAnswers();
    this.index = new VersionIndex(components, feed);
    this.searchIndex = new SearchIndex(components, feed);
    feed.subscribe((name) => this.invalidate(name));
  }

  private newAnswers(): BoundedCache<string, Buffer> {
    return new BoundedCache(this.answerBudget, (key, body) => key.length + body.length + ENTRY_OVERHEAD);
  }

  private invalidate(normalizedName: string | null): void {
    this.epoch++;
    if (this.answers.size) this.answers = this.newAnswers();
    this.index.invalidate(normalizedName);
    this.searchIndex.invalidate(normalizedName);
    if (normalizedName === null) this.documents.deleteWhere((k) => k.startsWith('c:'));
    else this.documents.delete(`c:${normalizedName}`);
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
    const digest = digestOf(definition);
    // a new name's owner row and first version are written together: a publish that fails claims no name
    const r = await this.components.publish({ name: canonicalName, normalizedName: normalizeName(canonicalName), teamId: team.id, version: exactVersion, definition, digest, publisherId: caller.tokenId }, (head) => {
      if (head.name !== canonicalName) {
        throw new HsmError(ErrorCodes.NAME_TAKEN, `\`${canonicalName}\` is too close to the existing component \`${head.name}\``, {
          hint: `publish under \`${head.name}\` or choose a clearly different name`,
        });
      }
      this.assertOwner(caller, head);
    });
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

  async setYanked(caller: Principal, name: string, version: string, yanked: boolean, reason: string | null): Promise<RegistryApi.YankResponse> {
    const head = await this.components.findHead(normalizeName(name));
    if (!head) throw notFound(name);
    this.assertOwner(caller, head);
    const found = await this.components.setYanked(head.id, version, yanked, reason);
    this.invalidate(normalizeName(head.name));
    if (!found) throw versionNotFound(head.name, version);
    return { name: head.name, version, yanked, yank_reason: yanked ? reason : null };
  }

  /** The cursor is the last name of the previous page: any valid name is a position to continue from. */
  async search(q: RegistryApi.SearchQuery): Promise<RegistryApi.SearchResponse> {
    const hits = await this.searchIndex.search({ text: q.q, provides: q.provides, after: q.cursor, limit: q.limit + 1 });
    const page = hits.slice(0, q.limit);
    const next = hits.length > q.limit ? page[page.length - 1].name : null;
    return { components: page, next_cursor: next };
  }

  /** The search answer as the controller's `res.json` writes it, byte for byte, from the hits' ready JSON (hot path). */
  async searchBody(q: RegistryApi.SearchQuery): Promise<Buffer> {
    const r = await this.search(q);
    return Buffer.from(`{"components":[${r.components.map(hitJson).join(',')}],"next_cursor":${JSON.stringify(r.next_cursor)}}`);
  }

  /** The cached component document, if there is a current one (no database access). */
  cachedComponentDocument(name: string): Document | undefined {
    return this.feed.live ? this.documents.get(`c:${normalizeName(name)}`) : undefined;
  }

  /** The cached version document, if any (no database access). */
  cachedVersionDocument(name: string, version: string): Document | undefined {
    return this.documents.get(`v:${normalizeName(name)}@${version}`);
  }

  /** The component document, and whether `ifNoneMatch` still matches it (304, with the document's ETag). */
  async componentDocument(name: string, ifNoneMatch: string | undefined): Promise<{ doc: Document; notModified: boolean }> {
    const key = normalizeName(name);
    let doc = this.feed.live ? this.documents.get(`c:${key}`) : undefined;
    if (!doc) {
      const epoch = this.epoch;
      const c = await this.components.find(key);
      if (!c) throw notFound(name);
      doc = documentOf(
        `"c-${c.id.slice(0, 8)}-${c.revision}"`,
        JSON.stringify({
          name: c.name,
          team: c.team.name,
          description: c.description,
          provides: c.provides,
          options: sortKeys(c.options),
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
      );
      if (this.feed.live && epoch === this.epoch) this.documents.set(`c:${key}`, doc);
    }
    return { doc, notModified: etagMatches(ifNoneMatch, doc.etag) };
  }

  async versionDocument(name: string, version: string): Promise<Document> {
    const key = `v:${normalizeName(name)}@${version}`;
    const cached = this.documents.get(key);
    if (cached) return cached;
    // one database read per document however many requests miss it at once (a cold batch of resolves)
    let loading = this.loading.get(key);
    if (!loading) {
      this.loading.set(key, (loading = this.loadVersionDocument(key, name, version)));
      loading.then(
        () => this.loading.delete(key),
        () => this.loading.delete(key),
      );
    }
    return loading;
  }

  private async loadVersionDocument(key: string, name: string, version: string): Promise<Document> {
    const v = await this.components.findVersion(normalizeName(name), version);
    if (!v) {
      if (!(await this.components.findHead(normalizeName(name)))) throw notFound(name);
      throw versionNotFound(name, version);
    }
    const doc = documentOf(`"${v.digest}"`, JSON.stringify({ name: v.name, version: v.version, digest: v.digest, published_at: v.publishedAt.toISOString(), definition: sortKeys(v.definition) }));
    this.documents.set(key, doc);
    return doc;
  }

  /**
   * Newest non-yanked version matching each range (yanked ones too with `include_yanked`), in request order;
   * misses are reported per entry. Version lists come from the in-memory index, documents from the cache.
   */
  /** The answer given before to exactly these request bytes, if nothing changed since (no parsing, no lookups). */
  cachedResolveAnswer(requestBytes: string): Buffer | undefined {
    return this.feed.live ? this.answers.get(requestBytes) : undefined;
  }

  /** resolve(), remembering the answer under the exact request bytes it was parsed from (cachedResolveAnswer). */
  async resolveRemembered(requests: ResolveRequest[], requestBytes: string): Promise<Buffer> {
    const epoch = this.epoch;
    const body = await this.resolve(requests);
    if (this.feed.live && epoch === this.epoch) this.answers.set(requestBytes, body);
    return body;
  }

  async resolve(requests: ResolveRequest[]): Promise<Buffer> {
    const keys = requests.map((r) => normalizeName(r.name));
    const lists = await this.index.lists([...new Set(keys)]);
    // per entry: a whole answer (a miss), or the head of one and its version document — taken from the cache at
    // once, loaded only when missing, so a warm batch awaits nothing per entry
    const heads: string[] = [];
    const docs: (Document | Promise<Document> | null)[] = [];
    requests.forEach((r, i) => {
      const c = lists.get(keys[i]);
      let best = -1;
      if (!c || c.versions.length === 0) {
        heads.push(JSON.stringify({ name: r.name, range: r.range, error: { code: ErrorCodes.COMPONENT_NOT_FOUND, message: `no component named ${r.name}` } }));
      } else if ((best = this.newest(c, r.range, r.include_yanked === true)) < 0) {
        const message = `no ${r.include_yanked ? '' : 'non-yanked '}version of ${c.name} satisfies ${r.range}`;
        heads.push(JSON.stringify({ name: r.name, range: r.range, error: { code: ErrorCodes.UNSATISFIABLE, message } }));
      } else {
        // splice the cached document instead of re-serialising the definition
        heads.push(`{"range":${JSON.stringify(r.range)},${r.include_yanked ? `"yanked":${c.yanked[best]},` : ''}`);
        const version = c.versions[best];
        docs[i] = this.documents.get(`v:${keys[i]}@${version}`) ?? this.versionDocument(r.name, version);
        return;
      }
      docs[i] = null;
    });
    const ready = docs.some((d) => d instanceof Promise) ? await Promise.all(docs) : (docs as (Document | null)[]);
    const chunks: Buffer[] = [OPEN];
    heads.forEach((head, i) => {
      if (i) chunks.push(COMMA);
      chunks.push(Buffer.from(head));
      const doc = ready[i];
      if (doc) chunks.push(doc.body.subarray(1));
    });
    chunks.push(CLOSE);
    return Buffer.concat(chunks);
  }

  /** Index into `c.versions` of the newest version satisfying `range`, or -1. */
  private newest(c: IndexedComponent, range: string, includeYanked: boolean): number {
    const r = parsedRange(range);
    if (!r) return -1; // not reached: the request schema accepts valid ranges only
    for (let i = 0; i < c.versions.length; i++) {
      if ((includeYanked || !c.yanked[i]) && r.test(c.versions[i])) return i;
    }
    return -1;
  }

  private assertOwner(caller: Principal, head: ComponentHead): void {
    if (hasScope(caller, 'admin')) return;
    if (!hasScope(caller, 'publish')) throw forbidden('token lacks the `publish` scope');
    if (caller.team?.id !== head.team.id) throw forbidden(`${head.name} is owned by team ${head.team.name}`);
  }
}

function checkCoordinates(name: string, version: string): { canonicalName: string; exactVersion: string } {
  if (!RegistryApi.ComponentName.safeParse(name).success) {
    throw new HsmError(ErrorCodes.DEFINITION_INVALID, `\`name\`: ${JSON.stringify(name)} must be lowercase letters, digits and single dashes`);
  }
  if (!RegistryApi.ExactVersion.safeParse(version).success) {
    throw new HsmError(ErrorCodes.DEFINITION_INVALID, `\`version\`: ${JSON.stringify(version)} must be an exact semver version like 1.4.0 (each part below 2147483648)`);
  }
  return { canonicalName: name, exactVersion: version };
}

const OPEN = Buffer.from('{"components":[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function notFound(name: string): HsmError {
  return new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `no component named ${name}`, { hint: `hsm search ${name}` });
}

function versionNotFound(name: string, version: string): HsmError {
  return new HsmError(ErrorCodes.VERSION_NOT_FOUND, `${name} has no version ${version}`, { hint: `hsm info ${name}` });
}
