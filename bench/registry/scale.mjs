/**
 * The registry at scale (issue 15): the same generated catalog shape at two sizes — small (50 × 10) and large
 * (10,000 components × 10 versions) — each on its own fresh database and service, measured the same way:
 *   RSS after start-up, then every version read once (RSS again: the cache budget must hold it flat), then
 *   GET version / GET component / 304 (each request a random document of the whole catalog), search `q=` and
 *   `provides=`, POST /v1/resolve of 10 and of 50 names, and publish throughput.
 * Prints both figures side by side with the ratio and checks the budgets.
 */
import { join } from 'node:path';
import { componentName, seedCatalog } from './catalog.mjs';
import { budgetLine, cpuOf, database, load, log, mib, pool, root, rssOf, startServer, table, waitFor, freePort } from './support.mjs';

const DURATION = Number(process.env.BENCH_SCALE_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LARGE = Number(process.env.BENCH_SCALE_COMPONENTS ?? 10_000);

/** Starts the service on `dbUrl`; resolves once it answers. */
async function service(dbUrl, ctx, env = {}, nodeFlags = []) {
  const port = await freePort();
  const server = startServer([process.execPath, ...nodeFlags, join(root, 'apps/registry/dist/main.js')], {
    DATABASE_URL: dbUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    HSM_ADMIN_TOKEN: ctx.admin,
    HSM_REGISTRY_LOG: 'warn',
    NODE_ENV: 'production',
    HSM_REGISTRY_WRITES_PER_MINUTE: '100000000',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`);
  await new Promise((r) => setTimeout(r, 1000));
  return { ...server, url };
}

/** Every version once, 32 in flight; returns the seconds it took. */
async function readAll(url, versions) {
  const t = Date.now();
  await pool(versions, 32, async (v) => {
    const r = await fetch(`${url}/v1/components/${v.name}/versions/${v.version}`);
    if (r.status !== 200) throw new Error(`GET ${v.name}@${v.version}: ${r.status}`);
    await r.arrayBuffer();
  });
  return (Date.now() - t) / 1000;
}

async function measure(label, components, versionsPerComponent, ctx) {
  const pg = (await import('pg')).default;
  const core = await import(join(root, 'libs/core/dist/index.js'));
  const { migrate } = await import(join(root, 'apps/registry/dist/database/migrate.js'));
  const dbUrl = await database();
  await migrate(dbUrl, join(root, 'prisma/migrations'));
  const t = Date.now();
  const count = await seedCatalog(pg, dbUrl, core, components, versionsPerComponent);
  log(`${label}: seeded ${count} versions of ${components} components in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const versions = (await db.query('SELECT c.name, v.version FROM versions v JOIN components c ON c.id = v.component_id')).rows;
  const provides = (await db.query('SELECT DISTINCT unnest(provides) AS p FROM components')).rows.map((r) => r.p);
  await db.end();
  const names = Array.from({ length: components }, (_, i) => componentName(i));

  const server = await service(dbUrl, ctx);
  const url = server.url;
  const out = { label, components, versions: count, rssStart: rssOf(server.child.pid), dbUrl, versionList: versions };

  // every version once: how fast cold documents come, and what memory they leave behind
  out.readAllSeconds = await readAll(url, versions);
  await new Promise((r) => setTimeout(r, 500));
  out.rssAfterAll = rssOf(server.child.pid);
  // the components' ETags, as a client holding them would send them back
  const etags = [];
  await pool(names, 32, async (n) => {
    const r = await fetch(`${url}/v1/components/${n}`);
    await r.arrayBuffer();
    etags.push({ path: `/v1/components/${n}`, headers: { 'if-none-match': r.headers.get('etag') } });
  });

  const rand = (list) => list[Math.floor(Math.random() * list.length)];
  // 200 bodies, each sent again and again (as a project's syncs do: the service remembers those answers), and
  // 20,000 (far more answers than it remembers at 10 KB each: the cost of resolving itself)
  const resolveBodies = (k, count = 200) =>
    Array.from({ length: count }, () => ({
      path: '/v1/resolve',
      body: JSON.stringify({ components: Array.from({ length: k }, () => ({ name: rand(names), range: rand(['*', '>=1', '^0 || ^1']) })) }),
    }));
  const words = ['vector', 'stream', 'cache', 'orbit', 'queue-adapter', 'graph-worker', 'delta-api', 'nova'];
  const scenarios = [
    { key: 'version', label: 'GET version (random)', requests: versions.map((v) => ({ path: `/v1/components/${v.name}/versions/${v.version}` })) },
    { key: 'component', label: 'GET component (random)', requests: names.map((n) => ({ path: `/v1/components/${n}` })) },
    { key: 'notModified', label: 'GET component 304 (random)', requests: etags, expect: 304 },
    { key: 'searchQ', label: 'search q=', requests: words.map((w) => ({ path: `/v1/components?q=${w}` })) },
    { key: 'searchProvides', label: 'search provides=', requests: provides.map((p) => ({ path: `/v1/components?provides=${p}` })) },
    { key: 'resolve10', label: 'POST /v1/resolve (10 names)', method: 'POST', headers: { 'content-type': 'application/json' }, requests: resolveBodies(10) },
    { key: 'resolve10new', label: 'POST /v1/resolve (10 names, 20,000 bodies)', method: 'POST', headers: { 'content-type': 'application/json' }, requests: resolveBodies(10, 20_000) },
    { key: 'resolve50', label: 'POST /v1/resolve (50 names)', method: 'POST', headers: { 'content-type': 'application/json' }, requests: resolveBodies(50) },
    { key: 'publish', label: 'publish (PUT new version)', connections: 10, headers: { authorization: `Bearer ${ctx.admin}` }, publish: { names } },
  ];
  for (const s of scenarios) {
    const base = { url, connections: s.connections ?? CONNECTIONS, method: s.method, headers: s.headers, requests: s.requests, publish: s.publish, expect: s.expect };
    if (!s.publish) await load({ ...base, duration: 2 }); // warm-up, discarded
    const cpu0 = cpuOf(server.child.pid);
    out[s.key] = { label: s.label, ...(await load({ ...base, duration: DURATION })) };
    // the service's own CPU time per request (all its threads, from /proc): what a busy machine's load cannot inflate as much as req/s
    out[s.key].cpuUs = ((cpuOf(server.child.pid) - cpu0) * 1e6) / Math.max(1, out[s.key].reqs * DURATION);
    log(`${label}: ${s.label}: ${Math.round(out[s.key].reqs)} req/s, p99 ${out[s.key].p99} ms, service CPU ${Math.round(out[s.key].cpuUs)} µs/request${out[s.key].errors ? `, ${out[s.key].errors} errors` : ''}`);
  }
  out.rssEnd = rssOf(server.child.pid);
  await server.stop();
  return out;
}

export async function scaleBench(ctx) {
  const { DEFAULT_CACHE_BYTES } = await import(join(root, 'apps/registry/dist/config.js'));
  const cacheBytes = Number(process.env.HSM_REGISTRY_CACHE_BYTES ?? DEFAULT_CACHE_BYTES);
  const small = await measure('small catalog', 50, 10, ctx);
  const large = await measure('large catalog', LARGE, 10, ctx);
  // the same catalog read once more by a service whose budget is far below it: eviction keeps memory flat
  const tight = 32 * 1024 * 1024;
  // twice, started as users start it: plain `node main.js` (`npm run registry:start`), and with MALLOC_ARENA_MAX=2
  // as the image (apps/registry/Dockerfile) sets it
  const readEvicting = async (what, env, flags) => {
    const evicting = await service(large.dbUrl, ctx, { HSM_REGISTRY_CACHE_BYTES: String(tight), ...env }, flags);
    const out = { what, rssStart: rssOf(evicting.child.pid) };
    out.seconds = await readAll(evicting.url, large.versionList);
    await new Promise((r) => setTimeout(r, 500));
    out.rssAfterAll = rssOf(evicting.child.pid);
    await evicting.stop();
    log(`large catalog, cache budget ${mib(tight)}, ${what}: RSS ${mib(out.rssStart)} → ${mib(out.rssAfterAll)} after reading every version (${out.seconds.toFixed(1)} s)`);
    return out;
  };
  const evictions = [await readEvicting('plain node', {}, []), await readEvicting('MALLOC_ARENA_MAX=2 (the image)', { MALLOC_ARENA_MAX: '2' }, [])];
  const keys = ['version', 'component', 'notModified', 'searchQ', 'searchProvides', 'resolve10', 'resolve10new', 'resolve50', 'publish'];
  const rows = [['scenario', 'small req/s', 'p99 ms', 'CPU µs/req', 'large req/s', 'p99 ms', 'CPU µs/req', 'large/small', 'errors']];
  for (const k of keys) {
    const [a, b] = [small[k], large[k]];
    rows.push([a.label, Math.round(a.reqs), a.p99, Math.round(a.cpuUs), Math.round(b.reqs), b.p99, Math.round(b.cpuUs), `${(b.reqs / a.reqs).toFixed(2)}×`, a.errors + b.errors]);
  }
  const info = (what, a, b) => rows.push([what, a, '', '', b, '', '', '', '']);
  info('read every version once (s)', small.readAllSeconds.toFixed(1), large.readAllSeconds.toFixed(1));
  info('RSS after start-up', mib(small.rssStart), mib(large.rssStart));
  info('RSS after reading every version', mib(small.rssAfterAll), mib(large.rssAfterAll));
  info('RSS at the end', mib(small.rssEnd), mib(large.rssEnd));
  for (const e of evictions) info(`RSS after reading every version, budget ${mib(tight)}, ${e.what}`, '', `${mib(e.rssStart)} → ${mib(e.rssAfterAll)}`);
  process.stdout.write(
    `\nregistry at scale: small ${small.components} × 10 (${small.versions} versions), large ${large.components} × 10 (${large.versions} versions); ${CONNECTIONS} connections, ${DURATION}s per scenario, cache budget ${mib(cacheBytes)}\n\n`,
  );
  process.stdout.write(table(rows));
  process.stdout.write('\nbudgets (issue 15):\n');
  for (const k of ['version', 'component', 'notModified', 'searchQ', 'searchProvides', 'resolve10', 'resolve50']) {
    process.stdout.write(budgetLine(`${large[k].label} at scale ≥ 0.7× small`, large[k].reqs / small[k].reqs, large[k].reqs >= 0.7 * small[k].reqs) + '\n');
  }
  for (const k of ['searchQ', 'searchProvides']) process.stdout.write(budgetLine(`${large[k].label} p99 at scale ≤ 20 ms`, large[k].p99, large[k].p99 <= 20, 'ms') + '\n');
  const limit = 1.5 * large.rssStart + cacheBytes;
  process.stdout.write(budgetLine(`RSS after reading all ${large.versions} versions ≤ 1.5 × start-up + cache budget (${mib(limit)})`, large.rssAfterAll / 1024 / 1024, large.rssAfterAll <= limit, 'MiB') + '\n');
  for (const e of evictions) {
    const tightLimit = 1.5 * e.rssStart + tight;
    process.stdout.write(budgetLine(`the same with a ${mib(tight)} budget, ${e.what} (evicting; limit ${mib(tightLimit)})`, e.rssAfterAll / 1024 / 1024, e.rssAfterAll <= tightLimit, 'MiB') + '\n');
  }
  for (const c of [small, large]) {
    process.stdout.write(budgetLine(`resolve (10 names) on the ${c.label} ≥ 0.5× GET version; p99 ≤ 20 ms`, c.resolve10.reqs / c.version.reqs, c.resolve10.reqs >= 0.5 * c.version.reqs && c.resolve10.p99 <= 20) + '\n');
    process.stdout.write(
      budgetLine(
        `resolve (10 names, 20,000 different bodies: the resolving itself) on the ${c.label} ≥ 0.5× GET version; p99 ≤ 20 ms (p99 ${c.resolve10new.p99} ms; service CPU ${Math.round(c.resolve10new.cpuUs)} vs ${Math.round(c.version.cpuUs)} µs/request)`,
        c.resolve10new.reqs / c.version.reqs,
        c.resolve10new.reqs >= 0.5 * c.version.reqs && c.resolve10new.p99 <= 20,
      ) + '\n',
    );
  }
}
