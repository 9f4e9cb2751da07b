// Start-up of a mutating command (issue 15): `hsm add NAME --no-sync` (Python-only component, folder registry of
// 51 components, no uv at all; and the same with the built-in catalog on) against `node -e 0`, interleaved in the
// same run — budget ≤ 2× — and where its time goes: CPU profiles
// (--cpu-prof) of a few runs, each sample's self time attributed through the bundle's source maps to the package
// or source folder it comes from, plus module compilation (hsm's bundle, with its code cache: apps/cli/src/code-cache.ts;
// Node's own modules), idle (waiting on the disk: fsync) and GC.
//   node bench/cli/startup.mjs                      (after `npm run build`)
//   BENCH_NODE=/path/to/node-24 node bench/cli/startup.mjs   (another Node, e.g. the one `uv tool install` brings)
//   BENCH_HSM=/copy/of/apps/cli/bin/hsm.js node bench/cli/startup.mjs   (another build of hsm)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// BENCH_HSM=/path/to/apps/cli/bin/hsm.js: another build (e.g. a copy of the one before a change)
const hsmBin = process.env.BENCH_HSM ?? join(root, 'apps', 'cli', 'bin', 'hsm.js');
const node = process.env.BENCH_NODE ?? process.execPath;
const N = Number(process.env.BENCH_RUNS ?? 15);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 5);
const work = mkdtempSync(join(tmpdir(), 'hsm-bench-startup-'));
// BENCH_NO_CACHES=1: as before the start-up work — no code cache (NODE_DISABLE_COMPILE_CACHE), a fresh hsm cache for every run
const noCaches = process.env.BENCH_NO_CACHES === '1';
let runs = 0;
// NODE_EXTRA_CA_CERTS (set on some CI machines, and on this one) makes Node 20 parse the CA bundle at every start,
// ~75 ms of CPU added to hsm and to `node -e 0` alike, which flatters the ratio: left out, as in bench/install
const { NODE_EXTRA_CA_CERTS: _extraCa, ...machineEnv } = process.env;
const env = { ...machineEnv, NO_COLOR: '1', XDG_CACHE_HOME: join(work, 'cache'), ...(noCaches ? { NODE_DISABLE_COMPILE_CACHE: '1' } : {}) };

const dir = join(work, 'project');
for (let i = 0; i <= 50; i++) {
  mkdirSync(join(dir, 'reg', `bench-pkg-${i}`), { recursive: true });
  writeFileSync(join(dir, 'reg', `bench-pkg-${i}`, '1.0.0.yaml'), `name: bench-pkg-${i}\nversion: 1.0.0\npython:\n  package: bench-pkg-${i}\n`);
  // written an hour ago, as a registry checked out earlier: files changed in the last seconds are not cached by stat
  const then = new Date(Date.now() - 3600_000);
  utimesSync(join(dir, 'reg', `bench-pkg-${i}`, '1.0.0.yaml'), then, then);
}
// the folder registry alone, and the same with the built-in catalog on (every hsm.yaml that does not say `builtin: false`)
const manifests = {
  folder: 'version: 1\nname: startup\nbuiltin: false\nregistries:\n  - name: bench\n    path: ./reg\ncomponents: {}\n',
  builtin: 'version: 1\nname: startup\nregistries:\n  - name: bench\n    path: ./reg\ncomponents: {}\n',
};

// the shipped catalog re-spelled (same content, another text): its seal does not match, so it is checked in full at
// every start, as every catalog was before the build sealed it — the "before" of that change, in the same run
const unsealed = join(work, 'catalog-unsealed.json');
writeFileSync(unsealed, JSON.stringify(JSON.parse(readFileSync(join(root, 'apps', 'cli', 'dist', 'catalog.json'), 'utf8')), null, 1));

function run(args, extra = [], manifest = manifests.folder, runEnv = env) {
  writeFileSync(join(dir, 'hsm.yaml'), manifest);
  if (noCaches) env.XDG_CACHE_HOME = join(work, `cache-${runs++}`);
  const t = process.hrtime.bigint();
  const r = spawnSync(node, [...extra, ...args], { cwd: dir, env: runEnv, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// the baseline and both cases interleaved, round by round, so a change of the machine's load hits all three alike
const cases = {
  node: () => run(['-e', '0']),
  add: () => run([hsmBin, 'add', 'bench-pkg-50', '--no-sync', '-q']),
  addBuiltin: () => run([hsmBin, 'add', 'bench-pkg-50', '--no-sync', '-q'], [], manifests.builtin),
  addUnsealed: () => run([hsmBin, 'add', 'bench-pkg-50', '--no-sync', '-q'], [], manifests.builtin, { ...env, HSM_BUILTIN_CATALOG: unsealed }),
};
const times = { node: [], add: [], addBuiltin: [], addUnsealed: [] };
// warm-ups (the second one runs with hsm's code cache filled)
for (const f of Object.values(cases)) {
  f();
  f();
}
for (let i = 0; i < N; i++) for (const [k, f] of Object.entries(cases)) times[k].push(f());
const nodeMs = median(times.node);
const addMs = median(times.add);
const addBuiltinMs = median(times.addBuiltin);
const addUnsealedMs = median(times.addUnsealed);

// --- where the time goes ---
const maps = new Map();
function sourceOf(url, line, column) {
  if (!url.startsWith('file://')) return null;
  if (!maps.has(url)) {
    let map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(fileURLToPath(url) + '.map', 'utf8')));
    } catch {
      /* no map: not part of the bundle */
    }
    maps.set(url, map);
  }
  const e = maps.get(url)?.findEntry(line, column);
  return e && 'originalSource' in e ? e.originalSource : null;
}
function category(frame) {
  const { functionName: f, url } = frame;
  if (f === '(idle)') return 'idle: waiting on the disk (fsync), timers';
  if (f === '(garbage collector)') return 'garbage collection';
  if (f === '(program)') return 'V8 (parse, compile, runtime)';
  if (f === 'compileForInternalLoader') return "compiling Node's own modules (node:crypto, streams, …)";
  if (/^(compileSourceTextModule|wrapSafe|compileFunction|Script)$/.test(f)) return "compiling hsm's bundle (or reading its code cache)";
  if (url.startsWith('node:internal/modules') || url.includes('cjs-module-lexer')) return 'loading modules';
  const src = sourceOf(url, frame.lineNumber, frame.columnNumber);
  if (src) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(src);
    if (pkg) return `package ${pkg[1]}`;
    const own = /(libs\/[^/]+\/src\/[^/]+|apps\/cli\/src)/.exec(src);
    return own ? own[1] : 'hsm (other)';
  }
  if (url.startsWith('node:') || url === '') return `node: ${f || 'native'}`.replace(/node: (open|close|fstat|fsync|read|write|lstat|stat|rename|mkdir|unlink|readdir)\w*/, 'node: file system calls');
  return url;
}

const totals = new Map();
let spans = 0;
const profDir = join(work, 'profiles');
for (let k = 0; k < PROFILES; k++) run([hsmBin, 'add', 'bench-pkg-50', '--no-sync', '-q'], ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
for (const f of readdirSync(profDir)) {
  const p = JSON.parse(readFileSync(join(profDir, f), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  spans += (p.endTime - p.startTime) / 1000;
  for (let i = 0; i < p.samples.length; i++) {
    const c = category(byId.get(p.samples[i]).callFrame);
    totals.set(c, (totals.get(c) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
}
const profiles = readdirSync(profDir).length;
const min = (xs) => Math.min(...xs);
for (const [what, ms, k] of [
  ['hsm add --no-sync (folder registry)', addMs, 'add'],
  ['hsm add --no-sync (folder registry + built-in catalog)', addBuiltinMs, 'addBuiltin'],
]) {
  console.log(`${what}: ${ms.toFixed(1)} ms vs node -e 0: ${nodeMs.toFixed(1)} ms  ratio ${(ms / nodeMs).toFixed(2)} (budget ≤ 2)  ${ms <= 2 * nodeMs ? 'MET' : 'MISSED'}`);
  console.log(`  (minimum of ${N}: ${min(times[k]).toFixed(1)} ms vs ${min(times.node).toFixed(1)} ms, ratio ${(min(times[k]) / min(times.node)).toFixed(2)})`);
}
console.log(`  (the built-in catalog checked at every start instead, as before it was sealed: ${addUnsealedMs.toFixed(1)} ms, ratio ${(addUnsealedMs / nodeMs).toFixed(2)})`);
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(
  `node ${nodeVersion}, ${N} interleaved rounds (medians), load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${noCaches ? 'no code cache, no folder-registry cache (BENCH_NO_CACHES=1)' : "hsm's code cache on"}`,
);
console.log(`\nwhere the profiled time goes (mean of ${profiles} profiles, ${(spans / profiles).toFixed(1)} ms profiled of ${addMs.toFixed(1)} ms wall; the rest is Node's own start):`);
for (const [c, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 16)) console.log(`  ${(ms / profiles).toFixed(1).padStart(7)} ms  ${c}`);
rmSync(work, { recursive: true, force: true });
