/**
 * Issue 10's fault test: clients publish while the service's PostgreSQL connections are terminated
 * (`pg_terminate_backend`). Afterwards every acknowledged version is present and re-hashes to its digest, no
 * name is owned without a version, and the failures clients saw were 503 HSM_DATABASE_UNAVAILABLE, never 500.
 * Clients retry a 503 as the hsm client does (a publish of the same bytes is idempotent: 200).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { digestOf, ErrorCodes } from '@hsm/core';
import { definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

const CLIENTS = 20;
const VERSIONS_PER_CLIENT = 12;
const TERMINATION_ROUNDS = 6;

let reg: TestRegistry;
let token: string;
beforeAll(async () => {
  reg = await startRegistry({ logLevel: 'warn' });
  ({ token } = await reg.createToken(['publish'], 'faulty'));
});
afterAll(async () => {
  await reg?.close();
});

async function withDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: reg.db.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('publishing while database connections are terminated', () => {
  test(`${CLIENTS} clients, ${TERMINATION_ROUNDS} rounds of pg_terminate_backend: nothing acknowledged is lost, no 500`, async () => {
    const acknowledged = new Map<string, string>(); // name@version → digest
    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    let done = false;

    const client = async (c: number) => {
      for (let i = 0; i < VERSIONS_PER_CLIENT; i++) {
        const name = `fault-${c}`;
        const version = `1.0.${i}`;
        const def = definition(name, version, { env: { CLIENT: String(c), N: String(i) } });
        for (let attempt = 0; attempt < 20; attempt++) {
          const r = await reg.request('PUT', `/v1/components/${name}/versions/${version}`, { token, body: def });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 201 || r.status === 200) {
            expect(r.json.digest).toBe(digestOf(def));
            acknowledged.set(`${name}@${version}`, r.json.digest);
            break;
          }
          if (r.status === 503 && r.json?.error?.code === ErrorCodes.DATABASE_UNAVAILABLE && r.headers.get('retry-after')) {
            await new Promise((res) => setTimeout(res, 50));
            continue;
          }
          unexpected.push(`${r.status} ${r.text.slice(0, 200)}`);
          break;
        }
      }
    };

    let terminated = 0;
    let rounds = 0;
    const killer = (async () => {
      while (!done && rounds < TERMINATION_ROUNDS) {
        await new Promise((res) => setTimeout(res, 150));
        const n = await withDb(async (db) => {
          const { rows } = await db.query<{ ok: boolean }>(
            `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
          );
          return rows.filter((r) => r.ok).length;
        });
        terminated += n;
        rounds++;
      }
    })();
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    done = true;
    await killer;

    const seen503 = statuses.get(503) ?? 0;
    const seen500 = [...statuses].filter(([s]) => s >= 500 && s !== 503).reduce((a, [, n]) => a + n, 0);
    process.stdout.write(
      `fault test: ${CLIENTS} clients, ${acknowledged.size} publishes acknowledged, ${rounds} termination rounds, ${terminated} backends terminated, ${seen503} × 503, ${seen500} × 500; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect(unexpected).toEqual([]);
    expect(seen500).toBe(0);
    expect(rounds).toBe(TERMINATION_ROUNDS);
    expect(terminated).toBeGreaterThanOrEqual(TERMINATION_ROUNDS);
    expect(acknowledged.size).toBe(CLIENTS * VERSIONS_PER_CLIENT);

    await withDb(async (db) => {
      const { rows } = await db.query<{ name: string; version: string; digest: string; definition: unknown }>(
        `SELECT c.name, v.version, v.digest, v.definition FROM versions v JOIN components c ON c.id = v.component_id WHERE c.name LIKE 'fault-%'`,
      );
      const stored = new Map(rows.map((r) => [`${r.name}@${r.version}`, r]));
      for (const [id, digest] of acknowledged) {
        const row = stored.get(id);
        expect([id, row?.digest]).toEqual([id, digest]);
        expect([id, digestOf(row!.definition)]).toEqual([id, digest]);
      }
      const empty = await db.query(`SELECT name FROM components c WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.component_id = c.id)`);
      expect(empty.rows).toEqual([]);
    });
    // the service is healthy afterwards
    expect((await reg.request('GET', '/readyz')).status).toBe(200);
  }, 120_000);
});
