/**
 * `hsm graph` end to end: the built binary on a project over the built-in catalog. The renderers themselves are
 * unit-tested in libs/core/src/graph; here: the wiring, the formats, `--output` (SVG from Graphviz in wasm),
 * determinism across runs, and that nothing but `--output` is written.
 */
import { describe, expect, test } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { hsm } from '../support/hsm-cli.js';
import { ragAppProject as project } from '../support/rag-app.js';

function texts(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => {
    const list = Array.isArray(v) ? v : [v];
    return k === 'text' ? list.map(String) : list.flatMap(texts);
  });
}

describe('hsm graph', () => {
  test('Mermaid by default, DOT and JSON on request; same stack → same bytes; writes nothing', async () => {
    const dir = await project();
    const mermaid = await hsm(['graph'], { cwd: dir });
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stdout).toContain('subgraph g_vector_store["interface vector-store (one)"]');
    expect(mermaid.stdout).toContain('class c_redis dev');
    expect((await hsm(['graph'], { cwd: dir })).stdout).toBe(mermaid.stdout);
    const dot = await hsm(['graph', '--format', 'dot'], { cwd: dir });
    expect(dot.stdout).toMatch(/^digraph "rag-app" \{/);
    const json = await hsm(['graph', '--format', 'json'], { cwd: dir });
    const g = JSON.parse(json.stdout);
    expect(g.components.map((c: { name: string }) => c.name)).toEqual(['langchain-rag', 'openai-embeddings', 'qdrant-adapter', 'redis']);
    expect(g.components.find((c: { name: string }) => c.name === 'redis')).toMatchObject({ mode: 'dev', services: [{ name: 'redis', ports: ['127.0.0.1:6379'] }] });
    expect(await readdir(dir)).toEqual(['hsm.yaml']);
  });

  test('--output stack.svg renders SVG that parses as XML and names every component', async () => {
    const dir = await project();
    const r = await hsm(['graph', '--output', 'stack.svg'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wrote stack.svg');
    const svg = await readFile(join(dir, 'stack.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    const labels = texts(new XMLParser({ ignoreAttributes: true, htmlEntities: true }).parse(svg));
    for (const c of ['langchain-rag 1.0.0', 'openai-embeddings', 'qdrant-adapter', 'redis']) expect(labels.some((t) => t.startsWith(c))).toBe(true);
    await hsm(['graph', '--output', 'again.svg'], { cwd: dir });
    expect(await readFile(join(dir, 'again.svg'), 'utf8')).toBe(svg);
  });

  test('an unknown format is a usage error (exit 2) with the choices', async () => {
    const dir = await project();
    const r = await hsm(['graph', '--format', 'png', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HSM_USAGE');
  });
});
