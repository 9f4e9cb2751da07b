/**
 * The real registry service (apps/registry) for client tests: a migrated PostgreSQL database that outlives
 * restarts, and the Nest app on a fixed 127.0.0.1 port, so a test can stop the service (offline) and start it
 * again on the same URL. Requests are counted as the HTTP server sees them.
 */
import { createServer } from 'node:net';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../apps/registry/src/create-app.js';
import { migrate } from '../../apps/registry/src/database/migrate.js';
import { JsonLogger } from '../../apps/registry/src/logger.js';
import { MIGRATIONS_DIR } from '../../apps/registry/src/paths.js';
import { freshDatabase, type TestDatabase } from '../../apps/registry/test/support/database.js';
import { testRegistryConfig } from '../../apps/registry/test/support/registry.js';

export const ADMIN_TOKEN = 'hsm_client_test_admin_token_0123456789abcdef';

export interface RequestLine {
  method: string;
  path: string;
  status: number;
}

export interface Service {
  url: string;
  db: TestDatabase;
  /** Requests served since the last `requests.length = 0`. */
  requests: RequestLine[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the service and drops the database. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startService(): Promise<Service> {
  const db = await freshDatabase();
  await migrate(db.url, MIGRATIONS_DIR);
  const port = await freePort();
  const config = testRegistryConfig(db.url, { port, adminToken: ADMIN_TOKEN });
  const requests: RequestLine[] = [];
  let app: INestApplication | undefined;
  const service: Service = {
    url: `http://127.0.0.1:${port}`,
    db,
    requests,
    async start() {
      app = await createApp(config, new JsonLogger('warn', [ADMIN_TOKEN], () => undefined));
      await app.listen(port, '127.0.0.1');
      // counted at the HTTP server, so reads the service answers before Express (its hot path) count too
      (app.getHttpServer() as HttpServer).on('request', (req: IncomingMessage, res: ServerResponse) => {
        res.on('finish', () => requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0], status: res.statusCode }));
      });
    },
    async stop() {
      await app?.close();
      app = undefined;
    },
    async close() {
      await service.stop();
      await db.drop();
    },
  };
  await service.start();
  return service;
}

/** A token with the given scopes for `team`, created through the API with the admin token. */
export async function createToken(service: Service, scopes: string[], team: string): Promise<string> {
  const res = await fetch(`${service.url}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `client-test-${scopes.join('-')}`, scopes, team }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 || !body.token) throw new Error(`token creation failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}
