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
import { ComponentRepository, type ComponentHead, type SearchHit } from './component.repository.js';
import { normalizeName } from './component-name.js';
import { BoundedCache, type CacheHandle } from './bounded-cache.js';
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
  /** How often each request body was resolved (not answered from memory), for the memo's admission. */
  private readonly frequency = new Frequency();

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
    return pageOf(await this.searchHits(q), q.limit);
  }

  /** One more hit than a page holds: the extra one says there is a next page. */
  private searchHits(q: RegistryApi.SearchQuery): Promise<SearchHit[]> {
    return this.searchIndex.search({ text: q.q, provides: q.provides, after: q.cursor, limit: q.limit + 1 });
  }

  /**
   * The search answer as the controller's `res.json` writes it, byte for byte, from the hits' ready JSON (hot path).
   * Serialised once per answer the search index remembers (it hands out the same hits array until the catalog
   * changes), in a buffer of its own.
   */
  async searchBody(q: RegistryApi.SearchQuery): Promise<Buffer> {
    const hits = await this.searchHits(q);
    let body = searchBodies.get(hits);
    if (!body) {
      const page = pageOf(hits, q.limit);
      body = ownBuffer(Buffer.from(`{"components":[${page.components.map(hitJson).join(',')}],"next_cursor":${JSON.stringify(page.next_cursor)}}`));
      searchBodies.set(hits, body);
    }
    return body;
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

  /** The answer given before to exactly these request bytes, if nothing changed since (no parsing, no lookups). */
  cachedResolveAnswer(requestBytes: string): Buffer | undefined {
    return this.feed.live ? this.answers.get(requestBytes) : undefined;
  }

  /**
   * resolve(), remembering the answer under the exact request bytes it was parsed from (cachedResolveAnswer) when
   * they come often: from their second time, and once the memo is full only if they came more often than the
   * answer they would displace (TinyLFU's admission). Bodies that each come once or rarely (developers' own
   * manifests, one-off queries) would otherwise keep displacing the answers asked for again and again, at the cost
   * of a copy and an allocation each.
   */
  async resolveRemembered(requests: ResolveRequest[], requestBytes: string): Promise<Buffer> {
    const epoch = this.epoch;
    const body = await this.resolve(requests);
    if (!this.feed.live || epoch !== this.epoch) return body;
    const count = this.frequency.add(requestBytes);
    if (count < 2) return body;
    const victim = this.answers.victim(requestBytes.length + body.length + ENTRY_OVERHEAD);
    if (victim === undefined || count > this.frequency.count(victim)) this.answers.set(requestBytes, ownBuffer(body));
    return body;
  }

  /**
   * Newest non-yanked version matching each range (yanked ones too with `include_yanked`), in request order;
   * misses are reported per entry. Version lists come from the in-memory index, documents from the cache; the
   * answer is spliced from the cached documents' bytes (answerBytes).
   */
  async resolve(requests: ResolveRequest[]): Promise<Buffer> {
    const n = requests.length;
    const keys = requests.map((r) => normalizeName(r.name));
    let lists = this.index.listsNow(keys);
    if (!lists) {
      const found = await this.index.lists([...new Set(keys)]);
      lists = keys.map((k) => found.get(k));
    }
    // per entry: a whole answer (a miss), or the head of one and its version document — taken from the cache at
    // once, loaded only when missing, so a warm batch awaits nothing per entry
    const heads: string[] = new Array(n);
    const docs: (Document | Promise<Document> | null)[] = new Array(n);
    let loading = false;
    for (let i = 0; i < n; i++) {
      const r = requests[i];
      const c = lists[i];
      docs[i] = null;
      if (!c || c.versions.length === 0) {
        heads[i] = JSON.stringify({ name: r.name, range: r.range, error: { code: ErrorCodes.COMPONENT_NOT_FOUND, message: `no component named ${r.name}` } });
        continue;
      }
      const a = rangeAnswer(keys[i], c, r.range, r.include_yanked === true);
      if (a.best < 0) {
        const message = `no ${r.include_yanked ? '' : 'non-yanked '}version of ${c.name} satisfies ${r.range}`;
        heads[i] = JSON.stringify({ name: r.name, range: r.range, error: { code: ErrorCodes.UNSATISFIABLE, message } });
        continue;
      }
      // splice the cached document instead of re-serialising the definition
      heads[i] = a.head;
      let doc = a.document && this.documents.read(a.document);
      if (!doc && (doc = this.documents.get(a.documentKey))) a.document = this.documents.handle(a.documentKey);
      if (doc) docs[i] = doc;
      else {
        docs[i] = this.versionDocument(r.name, c.versions[a.best]);
        loading = true;
      }
    }
    return answerBytes(heads, loading ? await Promise.all(docs) : (docs as (Document | null)[]));
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

/** What resolve answers for one range of one component, remembered in its IndexedComponent. */
interface RangeAnswer {
  /** Position in `versions` of the newest version satisfying the range; -1: none does. */
  best: number;
  /** The answer entry up to the version document's fields: `{"range":…,` (and `"yanked":…,`). */
  head: string;
  /** The version document's key in the cache. */
  documentKey: string;
  /** Its cache entry, once looked up: read without a lookup in the cache's table of every document. */
  document: CacheHandle | undefined;
}

/** A page of `limit` hits and the cursor of the next page (the last name of this one) when `hits` holds more. */
function pageOf(hits: SearchHit[], limit: number): { components: SearchHit[]; next_cursor: string | null } {
  const page = hits.slice(0, limit);
  return { components: page, next_cursor: hits.length > limit ? page[page.length - 1].name : null };
}

/** Search answers' bodies by the hits array they were made from (the search index's remembered answers). */
const searchBodies = new WeakMap<object, Buffer>();

/** Ranges remembered per component (then it starts afresh). */
const RANGES_REMEMBERED = 8;

/** The newest version of `c` satisfying `range` (yanked ones too with `includeYanked`), and its answer's parts. */
function rangeAnswer(key: string, c: IndexedComponent, range: string, includeYanked: boolean): RangeAnswer {
  const memo = c.answers as Map<string, RangeAnswer> | undefined;
  const id = includeYanked ? `y${range}` : range;
  let a = memo?.get(id);
  if (a) return a;
  let best = -1;
  const r = parsedRange(range);
  for (let i = 0; r && i < c.versions.length; i++) {
    if ((includeYanked || !c.yanked[i]) && r.test(c.versions[i])) {
      best = i;
      break;
    }
  }
  a = { best, head: '', documentKey: '', document: undefined };
  if (best >= 0) {
    a.head = `{"range":${JSON.stringify(range)},${includeYanked ? `"yanked":${c.yanked[best]},` : ''}`;
    a.documentKey = `v:${key}@${c.versions[best]}`;
  }
  if (!memo || memo.size >= RANGES_REMEMBERED) c.answers = new Map([[id, a]]);
  else memo.set(id, a);
  return a;
}

const OPEN = '{"components":[';
const CLOSE = ']}';

/**
 * `{"components":[` head + document without its `{`, … `]}` (a head that is a whole entry has no document). Into
 * a slab (answerBuffer): resolveRemembered copies what it keeps.
 */
function answerBytes(heads: string[], docs: (Document | null)[]): Buffer {
  const sizes = new Array<number>(heads.length);
  let size = OPEN.length + CLOSE.length + heads.length - 1;
  for (let i = 0; i < heads.length; i++) size += sizes[i] = Buffer.byteLength(heads[i]) + (docs[i] ? docs[i]!.body.length - 1 : 0);
  const out = answerBuffer(size);
  let at = out.write(OPEN, 0, 'latin1');
  for (let i = 0; i < heads.length; i++) {
    if (i) out[at++] = 0x2c; // ,
    const doc = docs[i];
    // the document whole, then the head over its `{` (the head ends with `,`): no subarray per document
    if (doc) out.set(doc.body, at + sizes[i] - doc.body.length);
    out.write(heads[i], at);
    at += sizes[i];
  }
  out.write(CLOSE, at, 'latin1');
  return out;
}

/**
 * Answers are carved from 256 KiB slabs, as Node's Buffer pool carves small buffers (its slabs are 8 KiB and it
 * takes nothing over 4 KiB, while an answer of 10 names is ~7 KiB): one allocation per ~40 answers instead of one
 * each. A slab lives while an answer in it is being sent; what is remembered is copied out (ownBuffer).
 */
const SLAB_BYTES = 256 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

function answerBuffer(size: number): Buffer {
  if (size > SLAB_BYTES / 8) return Buffer.allocUnsafeSlow(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += (size + 7) & ~7;
  return out;
}

/** `b` in an allocation of its own (a slice kept would keep its whole slab alive). */
export function ownBuffer(b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.byteLength) return b;
  const out = Buffer.allocUnsafeSlow(b.byteLength);
  out.set(b);
  return out;
}

/**
 * How often each string came lately, by a 32-bit hash (a collision only overstates a count): counts up to 15, all
 * halved once 65,536 strings have been counted (TinyLFU's reset, so old popularity fades); at most 65,536 hashes
 * held (~3 MiB), starting afresh beyond.
 */
class Frequency {
  private readonly counts = new Map<number, number>();
  private added = 0;

  /** Counts `s` once more; its count now. */
  add(s: string): number {
    const h = fnv1a(s);
    const n = Math.min((this.counts.get(h) ?? 0) + 1, 15);
    if (this.counts.size >= FREQUENCY_HASHES && n === 1) this.counts.clear();
    this.counts.set(h, n);
    if (++this.added >= FREQUENCY_HASHES) this.halve();
    return n;
  }

  count(s: string): number {
    return this.counts.get(fnv1a(s)) ?? 0;
  }

  private halve(): void {
    this.added = 0;
    for (const [h, n] of this.counts) {
      if (n > 1) this.counts.set(h, n >> 1);
      else this.counts.delete(h);
    }
  }
}

const FREQUENCY_HASHES = 65_536;

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

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
