/**
 * Builds the pages' view models from the JSON API's own reads (ComponentService documents and search, the
 * repository's version lists), so the pages show exactly what `/v1` serves and share its caches. The dependency
 * SVG is rendered by Graphviz (wasm) and cached by its DOT source, so a page view is one render at most.
 */
import { Injectable } from '@nestjs/common';
import semver from 'semver';
import { ErrorCodes, HsmError, renderComponentDot, renderSvg, svgElement, type Requirement } from '@hsm/core';
import { ComponentService, type Document } from '../components/component.service.js';
import { ComponentRepository } from '../components/component.repository.js';
import { normalizeName } from '../components/component-name.js';
import { BoundedCache } from '../components/bounded-cache.js';
import { CatalogRepository } from './catalog.repository.js';
import type { ComponentView, ImplementationView, InterfaceView, SearchHitView, SearchView, VersionRow } from './view-model.js';

const PAGE_SIZE = 20;
const MAX_IMPLEMENTATIONS = 100;

interface ComponentDoc {
  name: string;
  team: string;
  description: string;
  provides: string[];
  versions: { version: string; digest: string; yanked: boolean; yank_reason?: string; published_at: string }[];
}

interface VersionDoc {
  version: string;
  digest: string;
  published_at: string;
  definition: Record<string, unknown>;
}

@Injectable()
export class CatalogService {
  private readonly svgs = new BoundedCache<string, string>(4 * 1024 * 1024, (k, v) => k.length + v.length);

  constructor(
    private readonly components: ComponentService,
    private readonly repository: ComponentRepository,
    private readonly catalog: CatalogRepository,
  ) {}

  async search(q: { q: string; provides: string; cursor?: string }): Promise<SearchView> {
    const [page, interfaces] = await Promise.all([this.components.search({ q: q.q || undefined, provides: q.provides || undefined, cursor: q.cursor, limit: PAGE_SIZE }), this.catalog.interfaces()]);
    const lists = page.components.length ? await this.versionLists(page.components.map((c) => normalizeName(c.name))) : new Map();
    const hits: SearchHitView[] = page.components.map((c) => {
      const versions = (lists.get(normalizeName(c.name)) ?? []) as { version: string; yanked: boolean }[];
      return { ...c, newest: preferred(versions)?.version ?? null, allYanked: versions.length > 0 && versions.every((v) => v.yanked) };
    });
    return { q: q.q, provides: q.provides, interfaces, hits, next: page.next_cursor, paged: q.cursor !== undefined };
  }

  /** The component document's entity tag (its revision: changes on every publish and yank), or null if unknown. */
  async revision(name: string): Promise<string | null> {
    return orNull(this.document(name).then((d) => d.etag));
  }

  /** The component and one of its versions (default: the newest non-yanked); null when either is unknown. */
  async component(name: string, version?: string): Promise<ComponentView | null> {
    const doc = await orNull(this.document(name).then((d) => JSON.parse(d.body.toString('utf8')) as ComponentDoc));
    if (!doc || doc.versions.length === 0) return null;
    const versions: VersionRow[] = doc.versions.map((v) => ({ version: v.version, digest: v.digest, yanked: v.yanked, yankReason: v.yank_reason ?? null, publishedAt: v.published_at }));
    const chosen = version === undefined ? preferred(versions) : versions.find((v) => v.version === version);
    if (!chosen) return null;
    const vdoc = JSON.parse((await this.components.versionDocument(doc.name, chosen.version)).body.toString('utf8')) as VersionDoc;
    return {
      name: doc.name,
      team: doc.team,
      description: doc.description,
      provides: doc.provides,
      versions,
      selected: { ...chosen, definition: vdoc.definition },
      svg: await this.picture(doc.name, chosen.version, vdoc.definition),
    };
  }

  async interface(name: string): Promise<InterfaceView> {
    const page = await this.components.search({ provides: name, limit: MAX_IMPLEMENTATIONS });
    const lists = page.components.length ? await this.versionLists(page.components.map((c) => normalizeName(c.name))) : new Map();
    const implementations = await Promise.all(
      page.components.map(async (c): Promise<ImplementationView> => {
        const versions = (lists.get(normalizeName(c.name)) ?? []) as { version: string; yanked: boolean }[];
        const chosen = preferred(versions);
        const newest = chosen && !chosen.yanked ? chosen.version : null;
        const def = newest ? (JSON.parse((await this.components.versionDocument(c.name, newest)).body.toString('utf8')) as VersionDoc).definition : {};
        const python = def.python as { package: string; requirement?: string } | undefined;
        const services = (def.services ?? {}) as Record<string, { image?: string }>;
        return {
          name: c.name,
          team: c.team,
          description: c.description,
          version: newest,
          python: python ? { package: python.package, requirement: python.requirement ?? `${python.package}==${newest}` } : null,
          images: Object.keys(services)
            .sort()
            .flatMap((s) => (services[s].image ? [services[s].image!] : [])),
          requires: ((def.requires ?? []) as Requirement[]).map((r) => (typeof r === 'string' ? r : `interface ${r.interface}`)),
        };
      }),
    );
    return { name, implementations, truncated: page.next_cursor !== null };
  }

  /** The JSON API's component document (from its cache when current). */
  private async versionLists(names: string[]): Promise<Map<string, { version: string; yanked: boolean }[]>> {
    const lists = new Map<string, { version: string; yanked: boolean }[]>();
    for (const r of await this.repository.listVersions(names)) {
      const l = lists.get(r.normalizedName) ?? [];
      l.push({ version: r.version, yanked: r.yanked });
      lists.set(r.normalizedName, l);
    }
    return lists;
  }

  private async document(name: string): Promise<Document> {
    return (await this.components.componentDocument(name, undefined)).doc;
  }

  private async picture(name: string, version: string, def: Record<string, unknown>): Promise<string | null> {
    const requires = (def.requires ?? []) as Requirement[];
    const conflicts = (def.conflicts ?? []) as string[];
    if (requires.length === 0 && conflicts.length === 0) return null;
    const implementations: Record<string, string[]> = {};
    for (const r of requires) {
      if (typeof r === 'string') continue;
      const page = await this.components.search({ provides: r.interface, limit: MAX_IMPLEMENTATIONS });
      implementations[r.interface] = page.components.map((c) => c.name);
    }
    const dot = renderComponentDot({
      name,
      version,
      requires,
      conflicts,
      implementations,
      maxImplementations: 8,
      links: { component: (n) => `/c/${encodeURIComponent(n)}`, interface: (n) => `/i/${encodeURIComponent(n)}` },
    });
    const cached = this.svgs.get(dot);
    if (cached) return cached;
    const svg = svgElement(await renderSvg(dot));
    this.svgs.set(dot, svg);
    return svg;
  }
}

/** The version a visitor means by default: the newest release, else the newest prerelease, else the newest yanked one. */
function preferred<V extends { version: string; yanked: boolean }>(versions: V[]): V | undefined {
  const sorted = [...versions].sort((a, b) => semver.rcompare(a.version, b.version));
  return sorted.find((v) => !v.yanked && semver.prerelease(v.version) === null) ?? sorted.find((v) => !v.yanked) ?? sorted[0];
}

/** A not-found from the shared service as null (the page answers 404); anything else propagates. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof HsmError && (e.code === ErrorCodes.COMPONENT_NOT_FOUND || e.code === ErrorCodes.VERSION_NOT_FOUND)) return null;
    throw e;
  }
}
