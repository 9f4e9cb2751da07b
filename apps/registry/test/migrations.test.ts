/**
 * Migrations on an empty database, recorded as `prisma migrate deploy` records them, and a round trip of every
 * model and field through the generated client: if schema.prisma and the SQL migrations disagree (a column
 * missing, a wrong type or name), a create or a read here fails.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { ErrorCodes } from '@hsm/core';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { migrate, readMigrations } from '../src/database/migrate.js';
import { MIGRATIONS_DIR } from '../src/paths.js';
import { freshDatabase, type TestDatabase } from '../../../test/support/registry-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  test('apply to an empty database, then are a no-op', async () => {
    const before = await query<{ n: string }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(Number(before[0].n)).toBe(0);
    const all = await readMigrations(MIGRATIONS_DIR);
    expect(all.length).toBeGreaterThan(0);

    const first = await migrate(db.url, MIGRATIONS_DIR);
    expect(first.applied).toEqual(all.map((m) => m.name));
    const second = await migrate(db.url, MIGRATIONS_DIR);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(all.map((m) => m.name));
  });

  test('are recorded in _prisma_migrations as prisma migrate deploy does', async () => {
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const all = await readMigrations(MIGRATIONS_DIR);
    expect(rows.map((r) => r.migration_name)).toEqual(all.map((m) => m.name));
    for (const r of rows) {
      const sql = await readFile(join(MIGRATIONS_DIR, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
  });

  test('a migration edited after it was applied is refused', async () => {
    const name = (await readMigrations(MIGRATIONS_DIR))[0].name;
    await query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2', ['0'.repeat(64), name]);
    await expect(migrate(db.url, MIGRATIONS_DIR)).rejects.toMatchObject({ code: ErrorCodes.MIGRATION_FAILED });
    const sql = await readFile(join(MIGRATIONS_DIR, name, 'migration.sql'));
    await query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2', [createHash('sha256').update(sql).digest('hex'), name]);
  });

  test('schema.prisma and the migrations agree: every model and field round-trips through the client', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
    try {
      const team = await prisma.team.create({ data: { name: 'round-trip' } });
      const token = await prisma.token.create({
        data: {
          name: 'rt',
          prefix: 'hsm_abcdefgh',
          hash: 'f'.repeat(64),
          scopes: ['read', 'publish', 'admin'],
          teamId: team.id,
          expiresAt: new Date('2030-01-01T00:00:00.000Z'),
          revokedAt: new Date('2029-01-01T00:00:00.000Z'),
          lastUsedAt: new Date('2028-01-01T00:00:00.000Z'),
        },
      });
      const component = await prisma.component.create({
        data: { name: 'rt-comp', normalizedName: 'rt-comp', teamId: team.id, revision: 7, description: 'd', provides: ['a', 'b'], options: { port: { type: 'port', default: 5432 } } },
      });
      const version = await prisma.version.create({
        data: {
          componentId: component.id,
          version: '1.2.3-rc.1',
          major: 1,
          minor: 2,
          patch: 3,
          prerelease: 'rc.1',
          definition: { name: 'rt-comp', nested: { list: [1, 'two', null, true] } },
          digest: 'sha256:' + '0'.repeat(64),
          yanked: true,
          yankReason: 'broken',
          yankedAt: new Date('2027-01-01T00:00:00.000Z'),
          publisherId: token.id,
        },
      });
      const read = await prisma.team.findUniqueOrThrow({
        where: { id: team.id },
        include: { tokens: true, components: { include: { versions: { include: { publisher: true } } } } },
      });
      expect(read.name).toBe('round-trip');
      expect(read.createdAt).toBeInstanceOf(Date);
      expect(read.tokens).toEqual([token]);
      expect(read.components).toHaveLength(1);
      const { versions, ...comp } = read.components[0];
      expect(comp).toEqual(component);
      expect(versions).toHaveLength(1);
      const { publisher, ...ver } = versions[0];
      expect(ver).toEqual(version);
      expect(publisher).toEqual(token);

      // the constraints the service relies on are in the database, not just in the client
      await expect(prisma.component.create({ data: { name: 'RT_comp', normalizedName: 'rt-comp', teamId: team.id } })).rejects.toMatchObject({ code: 'P2002' });
      await expect(
        prisma.version.create({
          data: { componentId: component.id, version: '1.2.3-rc.1', major: 1, minor: 2, patch: 3, definition: {}, digest: 'x' },
        }),
      ).rejects.toMatchObject({ code: 'P2002' });
      await expect(prisma.token.create({ data: { name: 'dup', prefix: 'p', hash: 'f'.repeat(64), scopes: [] } })).rejects.toMatchObject({ code: 'P2002' });
    } finally {
      await prisma.$disconnect();
    }
  });

  test('the database holds exactly the tables and columns the Prisma schema declares', async () => {
    const schema = await readFile(join(MIGRATIONS_DIR, '..', 'schema.prisma'), 'utf8');
    const expected = new Map<string, Set<string>>();
    for (const m of schema.matchAll(/^model \w+ \{([\s\S]*?)^\}/gm)) {
      const body = m[1];
      const table = /@@map\("([^"]+)"\)/.exec(body)![1];
      const cols = new Set<string>();
      for (const line of body.split('\n')) {
        const f = /^\s+(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
        if (!f || f[1].startsWith('@@')) continue;
        const [, field, type, , , rest] = f;
        if (/^[A-Z]/.test(type) && !['String', 'Int', 'Boolean', 'DateTime', 'Json', 'Scope'].includes(type)) continue; // relation
        cols.add(/@map\("([^"]+)"\)/.exec(rest)?.[1] ?? field);
      }
      expected.set(table, cols);
    }
    const rows = await query<{ table_name: string; column_name: string }>(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
    const actual = new Map<string, Set<string>>();
    for (const r of rows) actual.set(r.table_name, (actual.get(r.table_name) ?? new Set()).add(r.column_name));
    expect(Object.fromEntries([...actual].map(([t, c]) => [t, [...c].sort()]))).toEqual(Object.fromEntries([...expected].map(([t, c]) => [t, [...c].sort()])));
  });
});
