/**
 * Search is answered from memory (SearchIndex, issue 15) and must answer exactly what the database query answers:
 * the same hits in the same (collation) order, the same pages, on an instance that learns of every change only
 * from the notification feed. Each answer of instance B is compared with the repository's query on the same
 * database, over a matrix of texts, interfaces, cursors and limits, before and after publishes (new names that
 * sort between existing ones), a newer version changing the search fields, and yanks.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ComponentRepository } from '../src/components/component.repository.js';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let a: TestRegistry;
let b: TestRegistry;
let db: ComponentRepository;

beforeAll(async () => {
  a = await startRegistry();
  b = await startRegistry({}, a.db);
  db = b.app.get(ComponentRepository);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const publish = (name: string, version: string, extra: Record<string, unknown> = {}) => a.request('PUT', `/v1/components/${name}/versions/${version}`, { token: ADMIN_TOKEN, body: definition(name, version, extra) });

/** Every query of the matrix, as B answers it over HTTP and as the database query answers it. */
async function compare(): Promise<{ memory: unknown[]; database: unknown[] }> {
  const names = (await db.search({})).map((h) => h.name);
  const queries: { q?: string; provides?: string; cursor?: string; limit?: number }[] = [];
  for (const q of [undefined, 'a', 'ab', 'A-B', 'vector', 'STORE', 'vector-store', 'zz', 'b', 'searchable', '%', '_']) {
    for (const provides of [undefined, 'vector-store', 'cache']) {
      for (const limit of [1, 100]) {
        for (const cursor of [undefined, names[3], 'ab0']) queries.push({ q, provides, cursor, limit });
      }
    }
  }
  const memory: unknown[] = [];
  const database: unknown[] = [];
  for (const query of queries) {
    const qs = new URLSearchParams(
      Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ).toString();
    const r = await b.request('GET', `/v1/components?${qs}`);
    expect(r.status).toBe(200);
    memory.push({ query, ...r.json });
    const hits = await db.search({ text: query.q, provides: query.provides, after: query.cursor, limit: (query.limit ?? 20) + 1 });
    const page = hits.slice(0, query.limit ?? 20);
    database.push({ query, components: page, next_cursor: hits.length > (query.limit ?? 20) ? page[page.length - 1].name : null });
  }
  return { memory, database };
}

async function settled(): Promise<{ memory: unknown[]; database: unknown[] }> {
  // B hears of A's writes through the feed: wait until it has (a bounded wait), then compare everything
  const until = Date.now() + 5000;
  let r = await compare();
  while (JSON.stringify(r.memory) !== JSON.stringify(r.database) && Date.now() < until) {
    await new Promise((res) => setTimeout(res, 50));
    r = await compare();
  }
  return r;
}

describe('search from memory answers what the database answers', () => {
  test('the same hits, order and pages, across publishes, newer versions and yanks on another instance', async () => {
    for (const [n, provides, description] of [
      ['ab', ['vector-store'], 'Vector store AB'],
      ['a-b', ['cache'], 'A cache, searchable'],
      ['aa', [], 'Plain aa'],
      ['b-store', ['vector-store', 'cache'], 'Searchable store'],
      ['zz-top', [], 'the last one'],
    ] as const) {
      expect((await publish(n, '1.0.0', { provides, description })).status).toBe(201);
    }
    let r = await settled();
    expect(r.memory).toEqual(r.database);

    // new names between existing ones (a reload of B's list), a newer version moving the search fields, a yank
    await publish('a-a', '1.0.0', { provides: ['cache'], description: 'Between a and ab' });
    await publish('abc', '1.0.0', { description: 'Also between' });
    await publish('aa', '2.0.0', { provides: ['vector-store'], description: 'Now a vector store' });
    expect((await a.request('POST', '/v1/components/b-store/versions/1.0.0/yank', { token: ADMIN_TOKEN })).status).toBe(200);
    r = await settled();
    expect(r.memory).toEqual(r.database);
    const aa = (r.memory as { query: { q?: string; provides?: string; cursor?: string; limit?: number }; components: { name: string }[] }[]).find(
      (m) => m.query.q === 'vector' && !m.query.provides && !m.query.cursor && m.query.limit === 100,
    );
    expect(aa?.components.map((c) => c.name)).toContain('aa');
  });
});
