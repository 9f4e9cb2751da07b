// No-op `hsm sync` of a 5-component stack from a team registry (a registry service, warm cache) against the same
// stack from a folder registry, in one run (issue 15: ≤ 1.1×, and 0 requests at the service). Also times the
// first sync on a cold cache and `--refresh` (one conditional GET per locked version), for information.
//   node bench/cli/team-sync.mjs        (after `npm run build`; DATABASE_URL optional, else embedded PostgreSQL)
import { execFile } from 'node:child_process';
import { createServer, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanups, database, freePort, root, startServer, waitFor } from '../registry/support.mjs';

const hsmBin = join(root, 'apps', 'cli', 'bin', 'hsm.js');
const N = Number(process.env.BENCH_RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'hsm-bench-team-'));
const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(work, 'cache'), XDG_CONFIG_HOME: join(work, 'config') };
const admin = `hsm_bench_admin_${randomBytes(12).toString('hex')}`;
const names = ['bench-db', 'bench-cache', 'bench-queue', 'bench-api', 'bench-web'];
const definition = (name) => ({ name, version: '1.0.0', description: `${name} for the sync benchmark`, services: { [name]: { image: `example/${name}:1.0.0`, ports: ['8080'] } } });

// asynchronous: the counting proxy below runs in this process and must keep answering while hsm runs
function run(dir, args) {
  const t = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [hsmBin, ...args], { cwd: dir, env, encoding: 'utf8' }, (e, _out, stderr) => {
      if (e) reject(new Error(`hsm ${args.join(' ')} failed (${e.code}):\n${stderr}`));
      else resolve(Number(process.hrtime.bigint() - t) / 1e6);
    });
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(f) {
  await f();
  const xs = [];
  for (let i = 0; i < N; i++) xs.push(await f());
  return median(xs);
}

try {
  const { migrate } = await import(join(root, 'apps/registry/dist/database/migrate.js'));
  const dbUrl = await database();
  await migrate(dbUrl, join(root, 'prisma/migrations'));
  const port = await freePort();
  // debug: one log line per request reaches the service's stdout, which counts them
  const server = startServer([process.execPath, join(root, 'apps/registry/dist/main.js')], { DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', HSM_ADMIN_TOKEN: admin, HSM_REGISTRY_LOG: 'warn' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`);
  // hsm talks to the service through this counting proxy: the requests a sync sends are counted at the wire
  let requests = 0;
  const proxy = createServer((req, res) => {
    requests++;
    const up = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => proxy.close(r)));
  const proxied = `http://127.0.0.1:${proxy.address().port}`;
  const reg = join(work, 'reg');
  for (const n of names) {
    const r = await fetch(`${url}/v1/components/${n}/versions/1.0.0`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(definition(n)) });
    if (r.status !== 201) throw new Error(`publish ${n}: ${r.status} ${await r.text()}`);
    mkdirSync(join(reg, n), { recursive: true });
    writeFileSync(join(reg, n, '1.0.0.yaml'), JSON.stringify(definition(n))); // JSON is YAML
  }
  const project = (name, registry) => {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'hsm.yaml'), `version: 1\nname: ${name}\nbuiltin: false\nregistries:\n  - name: team\n    ${registry}\ncomponents:\n${names.map((n) => `  ${n}: {}`).join('\n')}\n`);
    return dir;
  };
  const folder = project('folder', `path: ${reg}`);
  const team = project('team', `url: ${proxied}`);
  const cold = await run(team, ['sync', '-q']);
  const coldRequests = requests;
  await run(folder, ['sync', '-q']);
  requests = 0;
  const folderMs = await time(() => run(folder, ['sync', '-q']));
  const teamMs = await time(() => run(team, ['sync', '-q']));
  const warmRequests = requests;
  // the full path (no fast-path state), still without a request
  const fullMs = await time(() => {
    rmSync(join(team, '.hsm', 'state.json'), { force: true });
    return run(team, ['sync', '-q']);
  });
  const fullRequests = requests - warmRequests;
  requests = 0;
  const refreshMs = await time(() => run(team, ['sync', '-q', '--refresh']));
  const refreshRequests = requests / (N + 1);
  console.log(
    `no-op hsm sync, team registry (warm cache) ${teamMs.toFixed(1).padStart(7)} ms vs folder registry ${folderMs.toFixed(1).padStart(7)} ms  ratio ${(teamMs / folderMs).toFixed(2)} (budget ≤ 1.1)  ${teamMs <= 1.1 * folderMs ? 'MET' : 'MISSED'}`,
  );
  console.log(`requests at the service during ${N + 1} warm no-op syncs: ${warmRequests}, and ${N + 1} without the fast path: ${fullRequests} (budget 0)  ${warmRequests + fullRequests === 0 ? 'MET' : 'MISSED'}`);
  console.log(`  (without the fast path: ${fullMs.toFixed(1)} ms; first sync, cold cache: ${cold.toFixed(1)} ms, ${coldRequests} requests; sync --refresh: ${refreshMs.toFixed(1)} ms, ${refreshRequests} requests)`);
  console.log(`\nruns: ${N} (median), node ${process.version}`);
  await server.stop();
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
