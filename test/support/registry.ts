/**
 * The real registry service (apps/registry) for every test that needs one — the service's own tests and the
 * client's: a migrated PostgreSQL database, the Nest app on a free 127.0.0.1 port, and a small client. `stop()` and
 * `start()` take the service away and bring it back on the same URL (the database outlives it), so a client test can
 * go offline; `requests` counts what the HTTP server saw.
 */
import { request as httpRequest, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../apps/registry/src/create-app.js';
import type { RegistryConfig } from '../../apps/registry/src/config.js';
import { migrate } from '../../apps/registry/src/database/migrate.js';
import { JsonLogger } from '../../apps/registry/src/logger.js';
import { MIGRATIONS_DIR } from '../../apps/registry/src/paths.js';
import { freshDatabase, type TestDatabase } from './registry-database.js';

export const ADMIN_TOKEN = 'hsm_test_bootstrap_admin_token_0123456789';

export interface RequestLine {
  method: string;
  path: string;
  status: number;
}

export interface TestRegistry {
  url: string;
  db: TestDatabase;
  logs: string[];
  /** The running app (the one `start()` brought back, after a `stop()`). */
  app: INestApplication;
  /** Requests served, as the HTTP server saw them (so the hot path before Express counts too); reset with `length = 0`. */
  requests: RequestLine[];
  request(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  createToken(scopes: string[], team?: string, extra?: Record<string, unknown>): Promise<{ id: string; token: string }>;
  /** Stops the service; the database stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops the service and drops the database (unless shared). */
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** The configuration test services run with: loopback, the test admin token, limits out of the way. */
function testRegistryConfig(databaseUrl: string, overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    adminToken: ADMIN_TOKEN,
    readAccess: 'public',
    bodyLimit: 64 * 1024,
    writesPerMinute: 100_000,
    cacheBytes: 64 * 1024 * 1024,
    logLevel: 'debug',
    web: true,
    dataDir: '/nonexistent',
    ...overrides,
  };
}

/** With `shareDatabase`, a second instance on another registry's database (it does not drop it on close). */
export async function startRegistry(overrides: Partial<RegistryConfig> = {}, shareDatabase?: TestDatabase): Promise<TestRegistry> {
  const db: TestDatabase = shareDatabase ? { url: shareDatabase.url, drop: async () => undefined } : await freshDatabase();
  if (!shareDatabase) await migrate(db.url, MIGRATIONS_DIR);
  const config = testRegistryConfig(db.url, overrides);
  const logs: string[] = [];
  const requests: RequestLine[] = [];
  let port = 0;
  let running: INestApplication | undefined;
  const start = async (): Promise<INestApplication> => {
    const app = await createApp(config, new JsonLogger(config.logLevel, config.adminToken ? [config.adminToken] : [], (l) => logs.push(l)));
    await app.listen(port, '127.0.0.1');
    const server = app.getHttpServer() as HttpServer;
    port = (server.address() as import('node:net').AddressInfo).port;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      res.on('finish', () => requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0], status: res.statusCode }));
    });
    running = app;
    return app;
  };
  await start();
  const url = `http://127.0.0.1:${port}`;

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

  const stop = async (): Promise<void> => {
    await running?.close();
    running = undefined;
  };
  return {
    url,
    db,
    logs,
    get app() {
      if (!running) throw new Error('the test registry is stopped');
      return running;
    },
    requests,
    request,
    async createToken(scopes, team, extra = {}) {
      const r = await request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: `t-${scopes.join('-')}`, scopes, ...(team ? { team } : {}), ...extra } });
      if (r.status !== 201) throw new Error(`token creation failed: ${r.status} ${r.text}`);
      return { id: r.json.id, token: r.json.token };
    },
    stop,
    async start() {
      await start();
    },
    async close() {
      await stop();
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

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** A request through node:http with bytes and headers the test controls (fetch refuses some methods and headers). */
export function sendRaw(baseUrl: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(baseUrl + path);
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
