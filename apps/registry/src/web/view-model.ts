/** What the pages show, as plain data: built by WebCatalogService, rendered by the page functions. */

export interface InterfaceCount {
  name: string;
  components: number;
}

export interface SearchHitView {
  name: string;
  description: string;
  provides: string[];
  team: string;
  /** Newest non-yanked version (or newest, when every version is yanked); null for a name without versions. */
  newest: string | null;
  allYanked: boolean;
}

export interface SearchView {
  q: string;
  provides: string;
  interfaces: InterfaceCount[];
  hits: SearchHitView[];
  /** Cursor of the next page, if any. */
  next: string | null;
  /** This is a later page (offer a way back to the first). */
  paged: boolean;
}

export interface VersionRow {
  version: string;
  digest: string;
  yanked: boolean;
  yankReason: string | null;
  publishedAt: string;
}

export interface ComponentView {
  name: string;
  team: string;
  description: string;
  provides: string[];
  versions: VersionRow[];
  selected: VersionRow & { definition: Record<string, unknown> };
  /** The dependency picture, already SVG markup from Graphviz. */
  svg: string | null;
}

export interface ImplementationView {
  name: string;
  team: string;
  description: string;
  version: string | null;
  python: { package: string; requirement: string } | null;
  images: string[];
  requires: string[];
}

export interface InterfaceView {
  name: string;
  implementations: ImplementationView[];
  /** More implementations exist than are shown. */
  truncated: boolean;
}
