/** The embedded default (SPEC §9): a real PostgreSQL in a data directory, migrated, surviving a restart. */
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { startEmbeddedDatabase } from '../src/database/embedded.js';
import { migrate } from '../src/database/migrate.js';
import { MIGRATIONS_DIR } from '../src/paths.js';

async function scalar(url: string, sql: string): Promise<unknown> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Object.values((await c.query(sql)).rows[0])[0];
  } finally {
    await c.end();
  }
}

describe('embedded PostgreSQL', () => {
  test('initialises once, keeps its data and port across restarts', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hsm-xdg-'));
    await chmod(home, 0o755);
    const dataDir = join(home, 'hsm', 'registry');
    try {
      const first = await startEmbeddedDatabase(dataDir);
      try {
        expect((await migrate(first.url, MIGRATIONS_DIR)).applied.length).toBeGreaterThan(0);
        await scalar(first.url, `INSERT INTO teams (id, name) VALUES (gen_random_uuid(), 'kept') RETURNING name`);
      } finally {
        await first.stop();
      }
      const second = await startEmbeddedDatabase(dataDir);
      try {
        expect(second.url).toBe(first.url);
        expect((await migrate(second.url, MIGRATIONS_DIR)).applied).toEqual([]);
        expect(await scalar(second.url, `SELECT name FROM teams`)).toBe('kept');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
