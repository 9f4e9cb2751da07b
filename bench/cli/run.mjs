// CLI budgets of SPEC §12, as ratios against baselines measured in the same run (not a test):
//   hsm --version                 ≤ 1.5 × node -e 0
//   no-op hsm sync, 50 components ≤ 1.5 × (node -e 0 + no-op uv sync) on the same project
//   hsm add (Python-only)         ≤ 1.3 × uv add of the same requirement
// Packages are built locally (no PyPI); uv is called directly (not through a pyenv shim, which adds ~150 ms).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const hsmBin = join(root, 'apps', 'cli', 'bin', 'hsm.js');
const N = Number(process.env.BENCH_RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'hsm-bench-cli-'));
const wheels = join(work, 'wheels');
mkdirSync(wheels);

const uvBin = spawnSync('python3', ['-c', 'import uv; print(uv.find_uv_bin())'], { encoding: 'utf8' }).stdout.trim() || 'uv';
const env = {
  ...process.env,
  PATH: `${dirname(uvBin)}:${process.env.PATH}`,
  UV_DEFAULT_INDEX: wheels,
  UV_FIND_LINKS: wheels,
  UV_CACHE_DIR: join(work, 'uv-cache'),
  UV_PYTHON: 'python3',
  UV_PYTHON_DOWNLOADS: 'never',
  UV_NO_CONFIG: '1',
  UV_NO_PROGRESS: '1',
  UV_LINK_MODE: 'copy',
  NO_COLOR: '1',
};

// 51 tiny wheels: bench-pkg-0 … bench-pkg-50
spawnSync(
  'python3',
  [
    '-c',
    `
import zipfile, sys, os
for i in range(51):
    name = f"bench_pkg_{i}"
    info = f"{name}-1.0.0.dist-info"
    with zipfile.ZipFile(os.path.join(sys.argv[1], f"{name}-1.0.0-py3-none-any.whl"), "w") as z:
        z.writestr(f"{name}/__init__.py", "X = 1\\n")
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\\nName: bench-pkg-{i}\\nVersion: 1.0.0\\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nGenerator: bench\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        z.writestr(f"{info}/RECORD", "")
`,
    wheels,
  ],
  { stdio: 'inherit' },
);

function run(cmd, args, cwd) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(n, f) {
  f(); // warm-up
  return median(Array.from({ length: n }, f));
}

function project(name, components) {
  const dir = join(work, name);
  mkdirSync(join(dir, 'reg'), { recursive: true });
  for (let i = 0; i <= 50; i++) {
    mkdirSync(join(dir, 'reg', `bench-pkg-${i}`), { recursive: true });
    writeFileSync(join(dir, 'reg', `bench-pkg-${i}`, '1.0.0.yaml'), `name: bench-pkg-${i}\nversion: 1.0.0\npython:\n  package: bench-pkg-${i}\n`);
  }
  const list = components.map((c) => `  ${c}: {}`).join('\n');
  writeFileSync(join(dir, 'hsm.yaml'), `version: 1\nname: ${name}\nbuiltin: false\nregistries:\n  - name: bench\n    path: ./reg\ncomponents:${components.length ? '\n' + list : ' {}'}\n`);
  return dir;
}

const results = [];
function report(what, value, baseline, budget, unit = 'ms') {
  const ratio = value / baseline;
  results.push({ what, value, baseline, ratio, budget });
  console.log(`${what.padEnd(44)} ${value.toFixed(1).padStart(7)} ${unit} vs ${baseline.toFixed(1).padStart(7)} ${unit}  ratio ${ratio.toFixed(2)} (budget ≤ ${budget})  ${ratio <= budget ? 'MET' : 'MISSED'}`);
}

// 1. --version
const nodeMs = time(N, () => run(process.execPath, ['-e', '0'], work));
const versionMs = time(N, () => run(process.execPath, [hsmBin, '--version'], work));
report('hsm --version vs node -e 0', versionMs, nodeMs, 1.5);

// 2. no-op sync on a 50-component stack
const big = project(
  'stack50',
  Array.from({ length: 50 }, (_, i) => `bench-pkg-${i}`),
);
run(process.execPath, [hsmBin, 'sync', '-q'], big);
const uvNoop = time(N, () => run(uvBin, ['sync', '-q'], big));
const hsmNoop = time(N, () => run(process.execPath, [hsmBin, 'sync', '-q'], big));
report('no-op hsm sync (50) vs node + no-op uv sync', hsmNoop, nodeMs + uvNoop, 1.5);
// the full path (fingerprint missing), for information
const fullNoop = time(Math.min(N, 5), () => {
  spawnSync('rm', ['-f', join(big, '.hsm', 'state.json')]);
  return run(process.execPath, [hsmBin, 'sync', '-q'], big);
});
console.log(`  (no-op sync without the fast path: ${fullNoop.toFixed(1)} ms)`);

// 3. hsm add vs uv add, same requirement, fresh projects with a warm uv cache
let k = 0;
const addHsm = time(5, () => {
  const dir = project(`add-hsm-${k++}`, []);
  return run(process.execPath, [hsmBin, 'add', 'bench-pkg-50', '-q'], dir);
});
const addUv = time(5, () => {
  const dir = join(work, `add-uv-${k++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "x"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = []\n`);
  return run(uvBin, ['add', '-q', 'bench-pkg-50==1.0.0'], dir);
});
report('hsm add vs uv add (Python-only)', addHsm, addUv, 1.3);

// 4. the same against real PyPI (network; opt-in): a Python-only catalog component vs `uv add` of its requirement
if (process.env.BENCH_PYPI === '1') {
  const pypiEnv = { ...env };
  for (const k of ['UV_DEFAULT_INDEX', 'UV_FIND_LINKS']) delete pypiEnv[k];
  const runPypi = (cmd, args, cwd) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env: pypiEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const fresh = (name) => {
    const dir = join(work, `${name}-${k++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "x"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = []\n`);
    return dir;
  };
  const hsmPypi = time(5, () => {
    const dir = fresh('pypi-hsm');
    writeFileSync(join(dir, 'hsm.yaml'), 'version: 1\nname: x\ncomponents: {}\n');
    return runPypi(process.execPath, [hsmBin, 'add', 'openai-embeddings', '-q'], dir);
  });
  const uvPypi = time(5, () => runPypi(uvBin, ['add', '-q', 'openai>=1.50,<4'], fresh('pypi-uv')));
  report('hsm add vs uv add, real PyPI (openai)', hsmPypi, uvPypi, 1.3);
}

console.log(`\nruns: ${N} (median), uv: ${spawnSync(uvBin, ['--version'], { encoding: 'utf8' }).stdout.trim()}, node ${process.version}`);
