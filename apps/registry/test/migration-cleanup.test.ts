/**
 * Issue 10 item 3: the migration that frees names a failed publish left owned with no versions. Applied to a
 * database in the state older releases could leave: the empty component row goes, everything else stays.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import pg from 'pg';
import { migrate, readMigrations } from '../src/database/migrate.js';
import { MIGRATIONS_DIR } from '../src/paths.js';
import { freshDatabase, type TestDatabase } from '../../../test/support/registry-database.js';

const CLEANUP = '20261201210000_delete_components_without_versions';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.drop();
});

test('components without versions are deleted; components with versions, teams and tokens are kept', async () => {
  const all = await readMigrations(MIGRATIONS_DIR);
  expect(all.map((m) => m.name)).toContain(CLEANUP);
  const before = await mkdtemp(join(tmpdir(), 'hsm-migrations-'));
  try {
    for (const m of all.filter((m) => m.name < CLEANUP)) await cp(join(MIGRATIONS_DIR, m.name), join(before, m.name), { recursive: true });
    await migrate(db.url, before);
  } finally {
    await rm(before, { recursive: true, force: true });
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const team = (await c.query(`INSERT INTO teams (id, name) VALUES (gen_random_uuid(), 't') RETURNING id`)).rows[0].id;
    await c.query(`INSERT INTO tokens (id, name, prefix, hash, scopes, team_id) VALUES (gen_random_uuid(), 'x', 'hsm_x', 'h', '{publish}', $1)`, [team]);
    const kept = (await c.query(`INSERT INTO components (id, name, normalized_name, team_id) VALUES (gen_random_uuid(), 'kept', 'kept', $1) RETURNING id`, [team])).rows[0].id;
    await c.query(`INSERT INTO versions (id, component_id, version, major, minor, patch, definition, digest) VALUES (gen_random_uuid(), $1, '1.0.0', 1, 0, 0, '{}', 'sha256:x')`, [kept]);
    await c.query(`INSERT INTO components (id, name, normalized_name, team_id) VALUES (gen_random_uuid(), 'squatted', 'squatted', $1)`, [team]);

    const r = await migrate(db.url, MIGRATIONS_DIR);
    expect(r.applied).toEqual(all.filter((m) => m.name >= CLEANUP).map((m) => m.name));
    expect((await c.query(`SELECT name FROM components ORDER BY name`)).rows).toEqual([{ name: 'kept' }]);
    expect((await c.query(`SELECT count(*)::int AS n FROM versions`)).rows[0].n).toBe(1);
    expect((await c.query(`SELECT count(*)::int AS n FROM teams`)).rows[0].n).toBe(1);
    expect((await c.query(`SELECT count(*)::int AS n FROM tokens`)).rows[0].n).toBe(1);
  } finally {
    await c.end();
  }
});
