/** Starts the real service (migrated database, Nest app on a free port) for a test file, and a small client. */
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/create-app.js';
import type { RegistryConfig } from '../../src/config.js';
import { migrate } from '../../src/database/migrate.js';
import { JsonLogger } from '../../src/logger.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { freshDatabase, type TestDatabase } from './database.js';

export const ADMIN_TOKEN = 'hsm_test_bootstrap_admin_token_0123456789';

export interface TestRegistry {
  url: string;
  db: TestDatabase;
  logs: string[];
  app: INestApplication;
  request(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  createToken(scopes: string[], team?: string, extra?: Record<string, unknown>): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** With `shareDatabase`, a second instance on another registry's database (it does not drop it on close). */
/** The configuration test services run with: loopback, the test admin token, limits out of the way. */
export function testRegistryConfig(databaseUrl: string, overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    adminToken: ADMIN_TOKEN,
    readAccess: 'public',
    bodyLimit: 64 * 1024,
    writesPerMinute: 100_000,
    logLevel: 'debug',
    web: true,
    dataDir: '/nonexistent',
    ...overrides,
  };
}

export async function startRegistry(overrides: Partial<RegistryConfig> = {}, shareDatabase?: TestDatabase): Promise<TestRegistry> {
  const db: TestDatabase = shareDatabase ? { url: shareDatabase.url, drop: async () => undefined } : await freshDatabase();
  if (!shareDatabase) await migrate(db.url, MIGRATIONS_DIR);
  const config = testRegistryConfig(db.url, overrides);
  const logs: string[] = [];
  const app = await createApp(config, new JsonLogger(config.logLevel, config.adminToken ? [config.adminToken] : [], (l) => logs.push(l)));
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as import('node:net').AddressInfo;
  const url = `http://127.0.0.1:${addr.port}`;

  const request: TestRegistry['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  return {
    url,
    db,
    logs,
    app,
    request,
    async createToken(scopes, team, extra = {}) {
      const r = await request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: `t-${scopes.join('-')}`, scopes, ...(team ? { team } : {}), ...extra } });
      if (r.status !== 201) throw new Error(`token creation failed: ${r.status} ${r.text}`);
      return { id: r.json.id, token: r.json.token };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** A valid definition; `extra` is merged over it. */
export function definition(name: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    version,
    description: `${name} for tests`,
    provides: ['test-interface'],
    services: { [name]: { image: `example/${name}:${version}` } },
    ...extra,
  };
}
