// `npm run demo`: hsm on the built-in catalog in a fresh temp project, against real PyPI:
// init → add (one with a typed option) → mode dev (a local checkout) → sync → mode prod, printing what each step changed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const hsmBin = join(root, 'apps', 'cli', 'bin', 'hsm.js');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

if (!existsSync(join(root, 'apps', 'cli', 'dist', 'main.js'))) {
  console.log(bold('building hsm (npm run build)'));
  if (sh('npm', ['run', 'build'], { cwd: root }) !== 0) process.exit(1);
}
if (spawnSync('uv', ['--version']).status !== 0) {
  console.log(bold('uv is not on PATH: installing it from PyPI (python3 -m pip install uv)'));
  if (sh('python3', ['-m', 'pip', 'install', '-q', 'uv>=0.5,<1']) !== 0) process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'hsm-demo-'));
const project = join(work, 'rag-app');
mkdirSync(project);
// a local "checkout" of qdrant-client for dev mode: a small package built with hatchling (fetched from PyPI by uv)
const checkout = join(work, 'qdrant-client');
mkdirSync(join(checkout, 'src', 'qdrant_client'), { recursive: true });
writeFileSync(
  join(checkout, 'pyproject.toml'),
  '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "qdrant-client"\nversion = "1.99.0.dev0"\ndependencies = []\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/qdrant_client"]\n',
);
writeFileSync(join(checkout, 'src', 'qdrant_client', '__init__.py'), '__version__ = "1.99.0.dev0"\nSOURCE = "your local checkout"\n');

let step = 0;
function hsm(...args) {
  console.log(`\n${bold(`[${++step}] $ hsm ${args.join(' ')}`)}`);
  const status = sh(process.execPath, [hsmBin, ...args], { cwd: project });
  if (status !== 0) {
    console.error(`\nhsm exited with ${status}; the project is in ${project}`);
    process.exit(status);
  }
}
function show(file) {
  const p = join(project, file);
  console.log(`\n${bold(`--- ${file}`)}\n${existsSync(p) ? readFileSync(p, 'utf8').trimEnd() : '(absent)'}`);
}
function python(code) {
  console.log(`\n${bold(`$ .venv/bin/python -c '${code}'`)}`);
  sh(join(project, '.venv', 'bin', 'python'), ['-c', code]);
}

console.log(bold(`demo project: ${project}`));
hsm('init');
hsm('search', 'vector');
hsm('add', 'qdrant-adapter');
// a host port nothing on this machine listens on (many laptops already run a Redis on 6379): a typed option
hsm('add', 'redis', '--with', `port=${await freePort()}`);
show('hsm.yaml');
show('pyproject.toml');
show('docker-compose.hsm.yml');
show('hsm.env');
python('from importlib.metadata import version; print("qdrant-client", version("qdrant-client"), "from PyPI")');
hsm('mode', 'qdrant-adapter', 'dev', '--path', '../qdrant-client');
show('hsm.local.yaml');
show('pyproject.toml');
python('import qdrant_client; print("qdrant_client", qdrant_client.__version__, "from", qdrant_client.SOURCE)');
hsm('sync');
hsm('status');
hsm('why', 'redis');
hsm('mode', 'qdrant-adapter', 'prod');
hsm('sync', '--check');
console.log(`\n${bold('done')}: the project is a plain uv + Compose project in ${project} (try \`uv run python\`, \`docker compose -f docker-compose.hsm.yml config\`)`);
