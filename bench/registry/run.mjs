#!/usr/bin/env node
/**
 * Registry benchmark (SPEC §12, issue 15), two parts in one run:
 *  - `verdaccio`: autocannon against the hsm registry (registry-seed/) and against Verdaccio serving an npm
 *    package document of comparable size; req/s, p50 and p99 per scenario and the ratios;
 *  - `scale` (scale.mjs): a generated catalog, small and 10,000 × 10, side by side.
 *
 *   npm run bench:registry            (needs `npm run build`; DATABASE_URL optional, else embedded PostgreSQL)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=50 BENCH_PARTS=verdaccio,scale npm run bench:registry
 *
 * The web catalog (issue 14) is measured in the same run: the component page next to the JSON component
 * document, and the JSON reads against a second instance on the same database started with HSM_REGISTRY_WEB=off,
 * so "the pages do not slow the JSON API" is a same-run ratio.
 *
 * Servers are pinned to CPU 0 and the load generator to CPU 1 (taskset) when the machine has two or more CPUs,
 * so autocannon does not compete with the server it measures. Not a test; not run in CI.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autocannon as cannon, cleanups, database, freePort, here, log, pin, root, startServer, waitFor } from './support.mjs';
import { scaleBench } from './scale.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'verdaccio,scale').split(','));
const ADMIN = 'hsm_bench_admin_token_' + randomBytes(12).toString('hex');
const autocannon = (opts) => cannon(opts, { connections: CONNECTIONS, duration: DURATION });

function ensureBenchDeps() {
  if (existsSync(join(here, 'node_modules', 'verdaccio')) && existsSync(join(here, 'node_modules', 'autocannon'))) return;
  log('installing Verdaccio and autocannon into bench/registry/node_modules (once)…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', here], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm install in bench/registry failed');
}

async function main() {
  ensureBenchDeps();
  if (!existsSync(join(root, 'apps/registry/dist/main.js'))) throw new Error('apps/registry is not built: run `npm run build` first');
  if (PARTS.has('verdaccio')) await verdaccioBench();
  if (PARTS.has('scale')) await scaleBench({ admin: ADMIN });
}

/** The hsm registry on registry-seed/ against Verdaccio serving a package document of comparable size (SPEC §12). */
async function verdaccioBench() {
  const { migrate } = await import(join(root, 'apps/registry/dist/database/migrate.js'));
  const { seedRegistry } = await import(join(root, 'apps/registry/dist/seed.js'));

  // --- hsm registry ---
  const dbUrl = await database();
  await migrate(dbUrl, join(root, 'prisma/migrations'));
  const regPort = await freePort();
  startServer([process.execPath, join(root, 'apps/registry/dist/main.js')], {
    DATABASE_URL: dbUrl,
    PORT: String(regPort),
    HOST: '127.0.0.1',
    HSM_ADMIN_TOKEN: ADMIN,
    HSM_REGISTRY_LOG: 'warn',
    NODE_ENV: 'production',
  });
  const reg = `http://127.0.0.1:${regPort}`;
  await waitFor(`${reg}/healthz`);
  // the same service without the web pages, on the same database (instances are stateless)
  const bareport = await freePort();
  startServer([process.execPath, join(root, 'apps/registry/dist/main.js')], {
    DATABASE_URL: dbUrl,
    PORT: String(bareport),
    HOST: '127.0.0.1',
    HSM_ADMIN_TOKEN: ADMIN,
    HSM_REGISTRY_LOG: 'warn',
    NODE_ENV: 'production',
    HSM_REGISTRY_WEB: 'off',
  });
  const bare = `http://127.0.0.1:${bareport}`;
  await waitFor(`${bare}/healthz`);
  const seeded = await seedRegistry({ registryUrl: reg, token: ADMIN, dir: join(root, 'registry-seed') });
  const list = await (await fetch(`${reg}/v1/components?limit=100`)).json();
  const names = list.components.map((c) => c.name);
  if (names.length < 10) throw new Error(`need ≥ 10 components in registry-seed/, found ${names.length}`);
  log(`registry on ${reg}: ${seeded.published.length} versions published from registry-seed/`);

  // the component with the most versions is the one measured
  const docs = await Promise.all(names.map(async (n) => ({ n, res: await fetch(`${reg}/v1/components/${n}`) })));
  const bodies = await Promise.all(docs.map(async (d) => ({ n: d.n, etag: d.res.headers.get('etag'), text: await d.res.text() })));
  bodies.sort((a, b) => b.text.length - a.text.length);
  const comp = bodies[0];
  const compDoc = JSON.parse(comp.text);
  const version = compDoc.versions[0].version;
  const versionText = await (await fetch(`${reg}/v1/components/${comp.n}/versions/${version}`)).text();
  const pageText = await (await fetch(`${reg}/c/${comp.n}`)).text();
  if (!pageText.includes('<svg')) throw new Error(`the component page of ${comp.n} has no dependency picture`);
  const resolveBody = JSON.stringify({ components: names.slice(0, 10).map((name) => ({ name, range: '*' })) });
  const resolveText = await (await fetch(`${reg}/v1/resolve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: resolveBody })).text();

  // --- Verdaccio with one package document of comparable size ---
  const vdir = await mkdtemp(join(tmpdir(), 'hsm-bench-verdaccio-'));
  cleanups.push(() => rm(vdir, { recursive: true, force: true }));
  const vPort = await freePort();
  const pkgName = 'bench-pkg';
  const packument = packumentOfSize(pkgName, `http://127.0.0.1:${vPort}`, versionText.length);
  await mkdir(join(vdir, 'storage', pkgName), { recursive: true });
  await writeFile(join(vdir, 'storage', pkgName, 'package.json'), JSON.stringify(packument));
  await writeFile(
    join(vdir, 'config.yaml'),
    [
      `storage: ${join(vdir, 'storage')}`,
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'log: { type: stdout, format: pretty, level: error }',
      'web: { enable: false }',
      'server: { keepAliveTimeout: 60 }',
      '',
    ].join('\n'),
  );
  startServer([process.execPath, join(here, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '--config', join(vdir, 'config.yaml'), '--listen', `127.0.0.1:${vPort}`], {});
  const vurl = `http://127.0.0.1:${vPort}/${pkgName}`;
  await waitFor(vurl);
  const vres = await fetch(vurl);
  const vtext = await vres.text();
  const vetag = vres.headers.get('etag');
  log(`verdaccio on ${vurl}: package document ${vtext.length} bytes (etag ${vetag ?? 'none'})`);

  // --- measure (warm-up first so caches and JITs are hot in both) ---
  const scenarios = [
    { key: 'version', label: 'hsm GET version', url: `${reg}/v1/components/${comp.n}/versions/${version}`, size: versionText.length },
    { key: 'component', label: 'hsm GET component', url: `${reg}/v1/components/${comp.n}`, size: comp.text.length },
    { key: 'component304', label: 'hsm GET component If-None-Match', url: `${reg}/v1/components/${comp.n}`, headers: { 'if-none-match': comp.etag }, expect: 304, size: 0 },
    { key: 'resolve', label: 'hsm POST /v1/resolve (10 names)', url: `${reg}/v1/resolve`, method: 'POST', headers: { 'content-type': 'application/json' }, body: resolveBody, size: resolveText.length },
    { key: 'verdaccio', label: 'verdaccio GET package', url: vurl, size: vtext.length },
    { key: 'page', label: 'hsm GET /c/{name} (HTML page)', url: `${reg}/c/${comp.n}`, size: pageText.length },
  ];
  if (vetag) scenarios.push({ key: 'verdaccio304', label: 'verdaccio GET package If-None-Match', url: vurl, headers: { 'if-none-match': vetag }, expect: 304, size: 0 });
  const results = {};
  for (const s of scenarios) {
    autocannon({ ...s, url: s.url }); // warm-up run is discarded
    results[s.key] = { ...s, ...autocannon(s) };
    log(`${s.label}: ${Math.round(results[s.key].reqs)} req/s`);
  }

  // pages on vs off: alternating short rounds, so a busy machine's drift hits both sides alike; medians compared
  const pairs = [
    { key: 'version', on: `${reg}/v1/components/${comp.n}/versions/${version}`, off: `${bare}/v1/components/${comp.n}/versions/${version}` },
    { key: 'component', on: `${reg}/v1/components/${comp.n}`, off: `${bare}/v1/components/${comp.n}` },
  ];
  const ROUNDS = 3;
  const abDuration = Math.max(2, Math.round(DURATION / 2));
  const ab = {};
  for (const pr of pairs) {
    const on = [];
    const off = [];
    autocannon({ url: pr.off, duration: 1 }); // warm the second instance's caches
    for (let i = 0; i < ROUNDS; i++) {
      on.push(autocannon({ url: pr.on, duration: abDuration }).reqs);
      off.push(autocannon({ url: pr.off, duration: abDuration }).reqs);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    ab[pr.key] = { on: median(on), off: median(off) };
    log(`${pr.key} pages on/off: ${on.map(Math.round).join(', ')} / ${off.map(Math.round).join(', ')} req/s`);
  }

  const v = results.verdaccio;
  const v304 = results.verdaccio304 ?? v;
  const rows = [
    ['scenario', 'body bytes', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs Verdaccio'],
    ...Object.values(results).map((r) => {
      const base = r.key === 'component304' ? v304 : v;
      const ratio = r.key.startsWith('verdaccio') || r.key === 'page' ? '' : `${(r.reqs / base.reqs).toFixed(1)}×`;
      return [r.label, String(r.size), Math.round(r.reqs).toString(), String(r.p50), String(r.p99), String(r.errors), ratio];
    }),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(
    `\nregistry benchmark: ${CONNECTIONS} connections, ${DURATION}s per scenario, ${pin ? 'server on CPU 0, load on CPU 1' : 'no CPU pinning'}, database ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}\n\n`,
  );
  for (const row of rows) process.stdout.write(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n');
  process.stdout.write(`\nbudget (SPEC §12): GET version/component ≥ 5× Verdaccio (304 path ≥ 10×), p99 ≤ 20 ms at 50 connections\n`);
  const verdict = (ok) => (ok ? 'MET' : 'MISSED');
  process.stdout.write(`  GET version   ${(results.version.reqs / v.reqs).toFixed(1)}× ${verdict(results.version.reqs >= 5 * v.reqs && results.version.p99 <= 20)}\n`);
  process.stdout.write(`  GET component ${(results.component.reqs / v.reqs).toFixed(1)}× ${verdict(results.component.reqs >= 5 * v.reqs && results.component.p99 <= 20)}\n`);
  process.stdout.write(`  304 path      ${(results.component304.reqs / v304.reqs).toFixed(1)}× ${verdict(results.component304.reqs >= 10 * v304.reqs && results.component304.p99 <= 20)}\n`);
  const { page, component } = results;
  process.stdout.write(
    `\nweb catalog (issue 14): component page ${Math.round(page.reqs)} req/s, ${(page.reqs / component.reqs).toFixed(2)}× the JSON component document (${Math.round(component.reqs)} req/s); page p99 ${page.p99} ms\n`,
  );
  process.stdout.write(`  JSON API, pages on / off (median of ${ROUNDS} alternating ${abDuration}s rounds):\n`);
  for (const [k, r] of Object.entries(ab)) process.stdout.write(`    GET ${k.padEnd(9)} ${Math.round(r.on)} / ${Math.round(r.off)} req/s = ${(r.on / r.off).toFixed(2)}× ${verdict(r.on >= 0.9 * r.off)}\n`);
}

/** An npm packument padded with versions until its JSON is about `target` bytes. */
function packumentOfSize(name, base, target) {
  const doc = { _id: name, name, 'dist-tags': { latest: '1.0.0' }, versions: {}, time: {}, _attachments: {}, _uplinks: {}, _distfiles: {}, _rev: '1-0' };
  for (let i = 0; JSON.stringify(doc).length < target; i++) {
    const v = `1.0.${i}`;
    doc.versions[v] = { name, version: v, description: 'bench package', main: 'index.js', dist: { shasum: randomBytes(20).toString('hex'), tarball: `${base}/${name}/-/${name}-${v}.tgz` } };
    doc.time[v] = new Date(0).toISOString();
    doc['dist-tags'].latest = v;
  }
  return doc;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    process.exit(130);
  });
}
try {
  await main();
} catch (e) {
  process.stderr.write(`bench failed: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
}
