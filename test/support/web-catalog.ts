/** A small catalog for the web pages' tests: interfaces with several implementations, a yanked version, options, hostile text. */
import type { TestRegistry } from './registry.js';

export const HOSTILE_DESCRIPTION = '<script>window.__hsmXss = 1</script><img src=x onerror="window.__hsmXss = 2"> & friends';

const FIXTURE_DEFINITIONS: Record<string, unknown>[] = [
  {
    name: 'qdrant',
    version: '1.12.1',
    description: 'Qdrant vector database server',
    homepage: 'https://qdrant.tech/',
    services: { qdrant: { image: 'qdrant/qdrant:v1.12.1', ports: ['6333:6333'], volumes: ['qdrant-data:/qdrant/storage'] } },
  },
  {
    name: 'qdrant',
    version: '1.13.0',
    description: 'Qdrant vector database server',
    homepage: 'https://qdrant.tech/',
    services: { qdrant: { image: 'qdrant/qdrant:v1.13.0', ports: ['6333:6333', '6334:6334'], volumes: ['qdrant-data:/qdrant/storage'] } },
  },
  {
    name: 'qdrant-adapter',
    version: '1.3.0',
    description: 'Vector store adapter backed by Qdrant',
    provides: ['vector-store'],
    requires: ['qdrant@^1.12'],
    python: { package: 'qdrant-client', requirement: 'qdrant-client>=1.11,<2' },
  },
  {
    name: 'qdrant-adapter',
    version: '1.4.0',
    description: 'Vector store adapter backed by Qdrant',
    homepage: 'https://github.com/example/qdrant-adapter',
    provides: ['vector-store'],
    requires: ['qdrant@^1.12', { interface: 'embeddings' }],
    conflicts: ['chroma-adapter'],
    python: { package: 'qdrant-client', requirement: 'qdrant-client>=1.12,<2', source: { git: 'https://github.com/example/qdrant-adapter.git', ref: 'v1.4.0' } },
    env: { QDRANT_URL: 'http://localhost:6333' },
    options: {
      collection: { type: 'string', default: 'documents', description: 'Collection the adapter reads and writes' },
      distance: { type: 'string', enum: ['cosine', 'dot', 'euclid'], default: 'cosine', description: 'Vector distance' },
    },
  },
  {
    name: 'chroma-adapter',
    version: '0.6.3',
    description: 'Vector store adapter backed by Chroma',
    provides: ['vector-store'],
    python: { package: 'chromadb-client' },
    services: { chroma: { image: 'chromadb/chroma:0.6.3', ports: ['8000:8000'] } },
  },
  { name: 'openai-embeddings', version: '1.0.0', description: 'Embeddings from the OpenAI API', provides: ['embeddings'], python: { package: 'openai', requirement: 'openai>=1.40,<2' } },
  {
    name: 'bge-embeddings',
    version: '0.7.4',
    description: 'BAAI bge embeddings served by Text Embeddings Inference',
    provides: ['embeddings'],
    python: { package: 'fastembed' },
    services: { tei: { image: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.5', ports: ['8081:80'] } },
  },
  { name: 'evil-widget', version: '0.1.0', description: HOSTILE_DESCRIPTION, homepage: 'javascript:window.__hsmXss=3', python: { package: 'evil-widget' } },
];

export const YANKED = { name: 'qdrant-adapter', version: '1.3.0', reason: 'breaks with qdrant 1.13: upgrade to 1.4.0' };

/** Publishes the fixture catalog as team `platform` and yanks one version; returns the publish token. */
export async function publishFixtureCatalog(reg: TestRegistry): Promise<string> {
  const { token } = await reg.createToken(['publish'], 'platform');
  for (const d of FIXTURE_DEFINITIONS) {
    const r = await reg.request('PUT', `/v1/components/${d.name}/versions/${d.version}`, { token, body: d });
    if (r.status !== 201) throw new Error(`publishing ${d.name}@${d.version}: ${r.status} ${r.text}`);
  }
  const y = await reg.request('POST', `/v1/components/${YANKED.name}/versions/${YANKED.version}/yank`, { token, body: { reason: YANKED.reason } });
  if (y.status !== 200) throw new Error(`yank: ${y.status} ${y.text}`);
  return token;
}
