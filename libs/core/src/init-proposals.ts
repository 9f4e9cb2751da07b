/**
 * `hsm init`'s suggestions: catalog components matching what the project already uses — Python packages in
 * pyproject.toml and images in the user's Compose project (every file Compose loads, `include:`d ones too).
 * Images match by repository, or by the repository's last path segment so another publisher's build of the same
 * software counts (`bitnamilegacy/minio`, `cgr.dev/chainguard/minio` → `minio/minio`); tags are interpolated
 * first (`postgres:${POSTGRES_VERSION:-17}`). Pure (issue 9 item 10).
 */
import { parse as parseYaml } from 'yaml';
import type { RegistrySnapshot } from './model.js';
import { pep503, readPyprojectDependencies } from './pyproject/render-pyproject.js';
import { interpolate, type ComposeEnv } from './compose/compose-project.js';

export interface InitProposal {
  component: string;
  because: string;
}

interface CatalogFacts {
  name: string;
  packages: string[];
  images: string[];
}

function latest(reg: RegistrySnapshot): CatalogFacts[] {
  const out: CatalogFacts[] = [];
  for (const [name, entries] of reg.components) {
    const e = entries.filter((x) => !x.yanked).at(-1) ?? entries.at(-1);
    if (!e) continue;
    const images = Object.values(e.definition.services ?? {}).flatMap((s) => (typeof s.image === 'string' ? [imageRepo(s.image)] : []));
    out.push({ name, packages: e.definition.python ? [pep503(e.definition.python.package)] : [], images });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `docker.io/library/postgres:17@sha256:…` → `postgres`. */
export function imageRepo(image: string): string {
  const noDigest = image.split('@')[0];
  const lastColon = noDigest.lastIndexOf(':');
  const repo = lastColon > noDigest.lastIndexOf('/') ? noDigest.slice(0, lastColon) : noDigest;
  return repo
    .replace(/^docker\.io\//, '')
    .replace(/^index\.docker\.io\//, '')
    .replace(/^library\//, '');
}

const lastSegment = (repo: string) => repo.slice(repo.lastIndexOf('/') + 1);

function matchImage(catalog: CatalogFacts[], image: string): CatalogFacts | undefined {
  const repo = imageRepo(image);
  return catalog.find((c) => c.images.includes(repo)) ?? catalog.find((c) => c.images.some((i) => lastSegment(i) === lastSegment(repo)));
}

export function initProposals(registry: RegistrySnapshot, input: { pyproject: string | null; composeFiles: { file: string; text: string }[]; env: ComposeEnv }): InitProposal[] {
  const catalog = latest(registry);
  const out: InitProposal[] = [];
  const propose = (component: string, because: string) => {
    if (!out.some((p) => p.component === component)) out.push({ component, because });
  };
  if (input.pyproject) {
    try {
      for (const d of readPyprojectDependencies(input.pyproject)) {
        const hit = catalog.find((c) => c.packages.includes(pep503(d.name)));
        if (hit) propose(hit.name, `pyproject.toml depends on ${d.name}`);
      }
    } catch {
      // an unparsable pyproject.toml is reported by `hsm sync`; init just proposes nothing from it
    }
  }
  for (const f of input.composeFiles) {
    let doc: { services?: Record<string, { image?: unknown } | null> } | null;
    try {
      doc = parseYaml(f.text, { maxAliasCount: 64, merge: true, uniqueKeys: false });
    } catch {
      doc = null;
    }
    for (const [svc, def] of Object.entries(doc?.services ?? {})) {
      if (typeof def?.image !== 'string') continue;
      const image = interpolate(def.image, input.env) ?? def.image;
      if (image === '') continue;
      const hit = matchImage(catalog, image);
      if (hit) propose(hit.name, `${f.file} runs ${image} as \`${svc}\``);
    }
  }
  return out;
}
