/**
 * Small Python packages built locally for tests, so real uv can resolve and install them with no network:
 * wheels in a folder uv reads as `--find-links`, and dev checkouts with an in-tree PEP 517/660 build backend
 * (no setuptools download) that uv installs editable through a `.pth` file.
 */
import { mkdirSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProcess } from '@hsm/host';

interface PythonPackageSpec {
  /** Distribution name, e.g. `demo-client`. */
  name: string;
  version: string;
  /** PEP 508 requirements (Requires-Dist). */
  dependencies?: string[];
  /**
   * Files relative to the import root, e.g. `{ 'demo_client/__init__.py': 'X = 1\n' }`. Default: one module
   * `<name with _>/__init__.py` defining `__version__` and `SOURCE` (`"wheel"` or `"checkout"`).
   */
  modules?: Record<string, string>;
}

/** `demo-client` → `demo_client`: the import name of the default module and the wheel's file-name stem. */
function moduleName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

function defaultModules(spec: PythonPackageSpec, source: 'wheel' | 'checkout'): Record<string, string> {
  return { [`${moduleName(spec.name)}/__init__.py`]: `__version__ = ${JSON.stringify(spec.version)}\nSOURCE = ${JSON.stringify(source)}\n` };
}

// Writes a py3-none-any wheel: the files, METADATA, WHEEL and a RECORD with sha256 hashes.
const WHEEL_PY = String.raw`
import base64, hashlib, json, os, sys, zipfile
spec = json.load(sys.stdin)
stem = spec["stem"]
info = f"{stem}-{spec['version']}.dist-info"
metadata = f"Metadata-Version: 2.1\nName: {spec['name']}\nVersion: {spec['version']}\n"
metadata += "".join(f"Requires-Dist: {d}\n" for d in spec["dependencies"])
files = dict(spec["files"])
files[f"{info}/METADATA"] = metadata
files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: hsm-test-fixtures\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
path = os.path.join(spec["dir"], f"{stem}-{spec['version']}-py3-none-any.whl")
record = []
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(files):
        data = files[name].encode()
        z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    z.writestr(zipfile.ZipInfo(f"{info}/RECORD", (2020, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
print(path)
`;

/** Builds `<dir>/<name>-<version>-py3-none-any.whl` and returns its path. */
export async function buildWheel(dir: string, spec: PythonPackageSpec): Promise<string> {
  await mkdir(dir, { recursive: true });
  const input = JSON.stringify({
    dir: resolve(dir),
    stem: moduleName(spec.name),
    name: spec.name,
    version: spec.version,
    dependencies: spec.dependencies ?? [],
    files: spec.modules ?? defaultModules(spec, 'wheel'),
  });
  const { stdout } = await runProcess(['python3', '-c', WHEEL_PY], { input });
  return stdout.trim();
}

// An in-tree PEP 517 + PEP 660 backend: regular wheels from src/, editable wheels as a .pth pointing at src/.
const BACKEND_PY = String.raw`
"""Test build backend written by hsm's python-fixtures: no dependencies, no network."""
import base64, hashlib, json, os, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixture.json")) as f:
    SPEC = json.load(f)
STEM = SPEC["stem"]
INFO = f"{STEM}-{SPEC['version']}.dist-info"
SRC = os.path.join(HERE, "src")


def _metadata():
    text = f"Metadata-Version: 2.1\nName: {SPEC['name']}\nVersion: {SPEC['version']}\n"
    return text + "".join(f"Requires-Dist: {d}\n" for d in SPEC["dependencies"])


def _wheel(directory, files):
    files = dict(files)
    files[f"{INFO}/METADATA"] = _metadata()
    files[f"{INFO}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: hsm-test-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    name = f"{STEM}-{SPEC['version']}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(files):
            data = files[path].encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{INFO}/RECORD,,")
        z.writestr(f"{INFO}/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {}
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".pyc"):
                continue
            full = os.path.join(root, n)
            with open(full) as f:
                files[os.path.relpath(full, SRC).replace(os.sep, "/")] = f.read()
    return _wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {f"_{STEM}_editable.pth": SRC + "\n"})
`;

/**
 * A dev source checkout at `dir` (pyproject.toml, backend.py, src/<module>) that uv installs editable from a
 * `[tool.uv.sources] <name> = { path = …, editable = true }` entry, with no network. Returns `dir`.
 */
export async function makeCheckout(dir: string, spec: PythonPackageSpec): Promise<string> {
  const root = resolve(dir);
  const modules = spec.modules ?? defaultModules(spec, 'checkout');
  await mkdir(join(root, 'src'), { recursive: true });
  const deps = (spec.dependencies ?? []).map((d) => JSON.stringify(d)).join(', ');
  await writeFile(
    join(root, 'pyproject.toml'),
    `[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n[project]\nname = ${JSON.stringify(spec.name)}\nversion = ${JSON.stringify(spec.version)}\ndependencies = [${deps}]\n`,
  );
  await writeFile(join(root, 'fixture.json'), JSON.stringify({ name: spec.name, version: spec.version, stem: moduleName(spec.name), dependencies: spec.dependencies ?? [] }) + '\n');
  await writeFile(join(root, 'backend.py'), BACKEND_PY);
  for (const [path, content] of Object.entries(modules)) {
    const file = join(root, 'src', path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
  }
  return root;
}

/**
 * A PEP 503 "simple" index in `dir` holding copies of `wheels` (paths from buildWheel), for private-index
 * components (`python.index`). Returns its `file://…/simple` URL, usable as a `[[tool.uv.index]]` url.
 */
export async function makeSimpleIndex(dir: string, wheels: string[]): Promise<string> {
  const simple = join(resolve(dir), 'simple');
  const byProject = new Map<string, string[]>();
  for (const wheel of wheels) {
    const project = basename(wheel).split('-')[0].replace(/_/g, '-');
    byProject.set(project, [...(byProject.get(project) ?? []), wheel]);
  }
  await mkdir(simple, { recursive: true });
  const links = (names: string[]) => `<!DOCTYPE html>\n<html><body>\n${names.map((n) => `<a href="${n}">${n}</a><br/>`).join('\n')}\n</body></html>\n`;
  for (const [project, files] of byProject) {
    await mkdir(join(simple, project), { recursive: true });
    for (const f of files) await copyFile(f, join(simple, project, basename(f)));
    await writeFile(join(simple, project, 'index.html'), links(files.map((f) => basename(f))));
  }
  await writeFile(join(simple, 'index.html'), links([...byProject.keys()].map((p) => `${p}/`)));
  return pathToFileURL(simple).href;
}

/**
 * Environment for uv in tests: packages only from `wheelsDir` (default index and find-links: never PyPI), a cache
 * of the test's own, the system python3 and no Python downloads, no user or system uv configuration.
 */
export function uvTestEnv(wheelsDir: string, cacheDir: string): Record<string, string> {
  // uv rejects an index folder that does not exist.
  mkdirSync(wheelsDir, { recursive: true });
  return {
    // uv 0.13 has no environment variable for --no-index: making the folder the default index shuts PyPI out.
    UV_DEFAULT_INDEX: resolve(wheelsDir),
    UV_FIND_LINKS: resolve(wheelsDir),
    UV_CACHE_DIR: resolve(cacheDir),
    UV_PYTHON: 'python3',
    UV_PYTHON_DOWNLOADS: 'never',
    UV_NO_MANAGED_PYTHON: '1',
    UV_NO_CONFIG: '1',
    UV_NO_PROGRESS: '1',
    UV_LINK_MODE: 'copy',
    VIRTUAL_ENV: '',
  };
}

/**
 * Builds one py3-none-any wheel per spec into `dir` (the default module of each, no files of its own) in a
 * single batch; returns the paths. For stubbing the dependencies of real projects in tests.
 */
export async function buildWheels(dir: string, specs: PythonPackageSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const inputs = specs.map((spec) => ({
    dir: resolve(dir),
    stem: moduleName(spec.name),
    name: spec.name,
    version: spec.version,
    dependencies: spec.dependencies ?? [],
    files: spec.modules ?? defaultModules(spec, 'wheel'),
  }));
  // exec the single-wheel script in-process per spec: one interpreter start for the whole batch
  const batch = `import json, sys\nsrc = ${JSON.stringify(WHEEL_PY)}\nfor spec in json.load(sys.stdin):\n    sys.stdin = __import__('io').StringIO(json.dumps(spec))\n    exec(compile(src, 'wheel', 'exec'), {'__name__': '__main__'})\n`;
  await runProcess(['python3', '-c', batch], { input: JSON.stringify(inputs) });
}
