import { describe, expect, test } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { resolve } from '../resolver/resolve.js';
import { digestOf } from '../canonical-json.js';
import type { CatalogEntry, RegistrySnapshot, Resolution } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';
import type { Manifest } from '../schema/manifest.js';
import { buildStackGraph, renderGraphJson, type StackGraph } from './stack-graph.js';
import { renderMermaid } from './render-mermaid.js';
import { renderDot } from './render-dot.js';
import { renderComponentDot } from './render-component-dot.js';
import { renderSvg, svgElement } from './render-svg.js';

function registry(defs: ComponentDefinition[]): RegistrySnapshot {
  const components = new Map<string, CatalogEntry[]>();
  for (const d of defs) components.set(d.name, [{ name: d.name, version: d.version, digest: digestOf(d), yanked: false, definition: d }]);
  return { name: 'team', kind: 'folder', complete: true, components, interfaces: new Map() };
}

const catalog = registry([
  {
    name: 'qdrant-adapter',
    version: '1.4.0',
    provides: ['vector-store'],
    requires: ['qdrant@^1.12', { interface: 'embeddings' }],
    python: { package: 'qdrant-client' },
  },
  {
    name: 'qdrant',
    version: '1.12.1',
    services: {
      qdrant: {
        image: 'qdrant/qdrant:v1.12.1',
        ports: ['127.0.0.1:6333:6333', '6334:6334', '7000-7002:7000-7002/udp', '9999'],
        dev: { build: { context: '.' }, ports: ['16333:6333'] },
      },
    },
  },
  { name: 'openai-embeddings', version: '0.3.0', provides: ['embeddings'], python: { package: 'openai' } },
  { name: 'bge-embeddings', version: '2.0.0', provides: ['embeddings'], python: { package: 'bge' }, services: { bge: { image: 'example/bge:2' } } },
  { name: 'prometheus-exporter', version: '1.0.0', provides: ['exporters'], services: { prometheus: { image: 'prom/prometheus:v2', ports: ['9090:9090'] } } },
]);

function stack(modes: { qdrant?: 'dev' | 'prod' } = {}): { manifest: Manifest; resolution: Resolution } {
  const manifest: Manifest = {
    version: 1,
    name: 'rag-app',
    components: { 'qdrant-adapter': { mode: 'dev' }, qdrant: modes.qdrant ? { mode: modes.qdrant } : null },
    groups: {
      'vector-store': { policy: 'one', use: 'qdrant-adapter' },
      embeddings: { policy: 'one', use: 'openai-embeddings' },
      exporters: { policy: 'many', use: ['prometheus-exporter'] },
    },
  };
  const r = resolve({ manifest, overlay: {}, registries: [catalog] });
  if (r.kind !== 'resolved') throw new Error('fixture stack does not resolve');
  return { manifest, resolution: r.resolution };
}

function graphOf(modes: { qdrant?: 'dev' | 'prod' } = {}): StackGraph {
  const { manifest, resolution } = stack(modes);
  return buildStackGraph({ name: manifest.name, resolution, groups: manifest.groups });
}

describe('buildStackGraph', () => {
  test('components, groups as clusters, services with host ports, requires edges, python-only', () => {
    const g = graphOf();
    expect(g.components.map((c) => [c.name, c.version, c.mode, c.group, c.pythonOnly])).toEqual([
      ['openai-embeddings', '0.3.0', 'prod', 'embeddings', true],
      ['prometheus-exporter', '1.0.0', 'prod', 'exporters', false],
      ['qdrant', '1.12.1', 'prod', null, false],
      ['qdrant-adapter', '1.4.0', 'dev', 'vector-store', true],
    ]);
    expect(g.groups).toEqual([
      { interface: 'embeddings', policy: 'one', members: ['openai-embeddings'] },
      { interface: 'exporters', policy: 'many', members: ['prometheus-exporter'] },
      { interface: 'vector-store', policy: 'one', members: ['qdrant-adapter'] },
    ]);
    // container-only `9999` publishes no host port; a range and a host address are kept
    expect(g.components[2].services).toEqual([{ name: 'qdrant', image: 'qdrant/qdrant:v1.12.1', ports: ['127.0.0.1:6333', '6334', '7000-7002/udp'] }]);
    expect(g.edges).toEqual([
      { from: 'qdrant-adapter', to: 'openai-embeddings', interface: 'embeddings' },
      { from: 'qdrant-adapter', to: 'qdrant', range: '^1.12' },
    ]);
  });

  test('dev mode draws the service as the dev fragment runs it: built from the checkout, dev ports', () => {
    const q = graphOf({ qdrant: 'dev' }).components.find((c) => c.name === 'qdrant')!;
    expect(q.mode).toBe('dev');
    // Compose merges `ports` of an override by appending, and so does hsm's dev merge
    expect(q.services).toEqual([{ name: 'qdrant', image: null, ports: ['127.0.0.1:6333', '6334', '7000-7002/udp', '16333'] }]);
  });
});

describe('renderers', () => {
  test('Mermaid: subgraph per group, dev/python classes, service cylinders, labelled edges', () => {
    expect(renderMermaid(graphOf())).toBe(`flowchart LR
  subgraph g_embeddings["interface embeddings (one)"]
    c_openai_embeddings["openai-embeddings 0.3.0<br/>prod<br/>python only: openai"]
  end
  subgraph g_exporters["interface exporters (many)"]
    c_prometheus_exporter["prometheus-exporter 1.0.0<br/>prod"]
  end
  subgraph g_vector_store["interface vector-store (one)"]
    c_qdrant_adapter["qdrant-adapter 1.4.0<br/>dev (local checkout)<br/>python only: qdrant-client"]
  end
  c_qdrant["qdrant 1.12.1<br/>prod"]
  s0[("prometheus<br/>prom/prometheus:v2<br/>port 9090")]
  s1[("qdrant<br/>qdrant/qdrant:v1.12.1<br/>port 127.0.0.1:6333<br/>port 6334<br/>port 7000-7002/udp")]
  c_prometheus_exporter -.- s0
  c_qdrant -.- s1
  c_qdrant_adapter -->|embeddings| c_openai_embeddings
  c_qdrant_adapter -->|^1.12| c_qdrant
  classDef dev stroke-dasharray: 5 3,stroke-width:2px
  classDef python fill:#fff4c2,stroke:#a07c00
  classDef service fill:#e8f1fb,stroke:#2f6db5
  class c_qdrant_adapter dev
  class c_openai_embeddings,c_qdrant_adapter python
  class s0,s1 service
`);
  });

  test('Mermaid label text cannot break out of its quotes or edge bars', () => {
    const g = graphOf();
    g.edges[1] = { ...g.edges[1], range: '>=1 <2 || "3"' };
    const line = renderMermaid(g)
      .split('\n')
      .find((l) => l.includes('c_qdrant_adapter -->|') && l.endsWith('c_qdrant'))!;
    expect(line).toBe('  c_qdrant_adapter -->|#gt;=1 #lt;2 #124;#124; #quot;3#quot;| c_qdrant');
  });

  test('DOT: clusters, dev dashed, python-only filled, services as cylinders with ports', () => {
    const dot = renderDot(graphOf());
    expect(dot).toContain('subgraph "cluster_2" {\n    label="interface vector-store (one)";');
    expect(dot).toContain(
      '"component:qdrant-adapter" [label="qdrant-adapter 1.4.0\\ndev (local checkout)\\npython only: qdrant-client", tooltip="qdrant-adapter 1.4.0 from registry team", fillcolor="#fff4c2", style="rounded,filled,dashed,bold", class="dev python-only"];',
    );
    expect(dot).toContain('"service:qdrant" [label="qdrant\\nqdrant/qdrant:v1.12.1\\nport 127.0.0.1:6333\\nport 6334\\nport 7000-7002/udp", shape="cylinder"');
    expect(dot).toContain('"component:qdrant-adapter" -> "component:qdrant" [label="^1.12"];');
    expect(dot).toContain('"component:qdrant-adapter" -> "component:openai-embeddings" [label="embeddings"];');
  });

  test('DOT quoting: quotes and backslashes from data stay inside the string', () => {
    const g = graphOf();
    g.name = 'evil"\\N app';
    expect(renderDot(g).split('\n')[0]).toBe('digraph "evil\\"\\\\N app" {');
  });

  test('JSON: the graph as data', () => {
    const g = graphOf();
    expect(JSON.parse(renderGraphJson(g))).toEqual(g);
  });

  test('deterministic: the same stack gives the same bytes in every format', () => {
    const a = graphOf();
    const b = graphOf();
    expect(renderMermaid(a)).toBe(renderMermaid(b));
    expect(renderDot(a)).toBe(renderDot(b));
    expect(renderGraphJson(a)).toBe(renderGraphJson(b));
  });
});

/** Every `<text>` content of a parsed SVG tree, entities decoded. */
function textsOf(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => {
    if (k !== 'text') return (Array.isArray(v) ? v : [v]).flatMap(textsOf);
    return (Array.isArray(v) ? v : [v]).map(String);
  });
}

describe('SVG (Graphviz in WebAssembly)', () => {
  test('the stack SVG parses as XML and names every component and service', async () => {
    const g = graphOf();
    const svg = await renderSvg(renderDot(g));
    expect(XMLValidator.validate(svg)).toBe(true);
    const texts = textsOf(new XMLParser({ ignoreAttributes: true, htmlEntities: true }).parse(svg).svg);
    for (const c of g.components) expect(texts).toContain(`${c.name} ${c.version}`);
    expect(texts).toContain('qdrant/qdrant:v1.12.1');
    expect(await renderSvg(renderDot(g))).toBe(svg);
  });

  test('the component picture links every node to its page; svgElement strips the prolog', async () => {
    const dot = renderComponentDot({
      name: 'qdrant-adapter',
      version: '1.4.0',
      requires: ['qdrant@^1.12', { interface: 'embeddings' }],
      conflicts: ['chroma-adapter'],
      implementations: { embeddings: ['openai-embeddings', 'bge-embeddings'] },
      links: { component: (n) => `/c/${n}`, interface: (n) => `/i/${n}` },
    });
    const svg = svgElement(await renderSvg(dot));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(XMLValidator.validate(svg)).toBe(true);
    for (const href of ['/c/qdrant', '/i/embeddings', '/c/openai-embeddings', '/c/bge-embeddings', '/c/chroma-adapter']) {
      expect(svg).toContain(`xlink:href="${href}"`);
    }
  });
});
