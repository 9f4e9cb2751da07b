/**
 * Loads the CLI bundle — CommonJS files in dist/ (cli.js and its chunks, apps/cli/build.mjs) — with V8's code
 * cache kept on disk, so a command does not parse and compile the ~0.9 MB it loads on every run. Node 20 has no
 * compile cache of its own (module.enableCompileCache is Node ≥ 22.1, and covers only what Node's loader loads).
 *
 * - A file's cache is written at the exit of a run that loaded the file without a usable cache, after the command
 *   ran, so it holds the functions that run compiled too; atomically (a unique temp file renamed into place).
 * - The cache folder is per hsm build, Node version and architecture; writing one removes all but the newest few.
 *   V8 itself refuses a cache of another V8, other flags or another source text: the file is then compiled as
 *   usual and its cache written again. A cache file carries the sha256 of its content, checked before use.
 * - Every failure to read or write a cache only costs time; NODE_DISABLE_COMPILE_CACHE=1 turns it off (as Node's).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

interface Loaded {
  exports: unknown;
}

const HASH_BYTES = 32;
/** Cache folders kept (builds × Nodes): the one written now and the most recently written others. */
const KEEP = 4;
// The parameters of a file of the bundle: CommonJS's, and `import.meta.url` (build.mjs defines it as the last).
const HEAD = '(function (exports, require, module, __filename, __dirname, __hsm_import_meta_url) {\n';
const TAIL = '\n})';

/** The cache folder of this build and Node: `<cache>/code/<build>-<node version>-<arch>`, or null for none. */
export function codeCacheDir(hsmCache: string, build: string | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!build || env.NODE_DISABLE_COMPILE_CACHE) return null;
  return join(hsmCache, 'code', `${build}-${process.version}-${process.arch}`.replace(/[^\w.+-]/g, '_'));
}

/**
 * A loader of the bundle's files in `dir` by name (`cli.js`), each requiring its siblings as `./x.js`; anything
 * else they require is Node's (its built-in modules: the bundle has nothing else).
 */
export function bundleLoader(dir: string, cacheDir: string | null): (name: string) => unknown {
  const loaded = new Map<string, Loaded>();
  const toWrite: { name: string; script: Script }[] = [];
  // made once for all files: the URL of the folder (file names are esbuild's, [\w-]+.js: nothing to escape)
  // and Node's require
  const dirUrl = pathToFileURL(join(dir, '/')).href;
  let nodeRequire: NodeJS.Require | undefined;
  const load = (name: string): unknown => {
    const done = loaded.get(name);
    if (done) return done.exports;
    const file = dir + sep + name;
    const source = readFileSync(file, 'utf8');
    const cacheName = `${name}.v8`;
    const cachedData = cacheDir === null ? undefined : readCache(cacheDir + sep + cacheName);
    const url = dirUrl + name;
    // the head on a line of its own, counted back: stack traces and profiles keep the file's own lines
    const script = new Script(HEAD + source + TAIL, { filename: url, lineOffset: -1, cachedData });
    if (cacheDir !== null && (cachedData === undefined || script.cachedDataRejected)) {
      if (toWrite.length === 0) process.once('exit', () => writeCaches(cacheDir, toWrite));
      toWrite.push({ name: cacheName, script });
    }
    const module: Loaded = { exports: {} };
    loaded.set(name, module);
    const require = (id: string) => (id.startsWith('./') ? load(id.slice(2)) : (nodeRequire ??= createRequire(file))(id));
    (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, file, dir, url);
    return module.exports;
  };
  return load;
}

function readCache(file: string): Buffer | undefined {
  try {
    const data = readFileSync(file);
    const body = data.subarray(HASH_BYTES);
    return body.length > 0 && createHash('sha256').update(body).digest().equals(data.subarray(0, HASH_BYTES)) ? body : undefined;
  } catch {
    return undefined;
  }
}

function writeCaches(dir: string, scripts: { name: string; script: Script }[]): void {
  try {
    mkdirSync(dir, { recursive: true });
    // older builds' caches are dead weight, but two hsm installs or Nodes may take turns: the newest few are kept
    const parent = dirname(dir);
    const others = readdirSync(parent)
      .filter((d) => d !== basename(dir))
      .map((d) => ({ d, t: statSync(join(parent, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { d } of others.slice(KEEP - 1)) rmSync(join(parent, d), { recursive: true, force: true });
  } catch {
    /* another hsm cleaning up at the same time, or no cache folder at all: write what can be written */
  }
  for (const { name, script } of scripts) {
    const temp = join(dir, `${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const body = script.createCachedData();
      writeFileSync(temp, Buffer.concat([createHash('sha256').update(body).digest(), body]));
      renameSync(temp, join(dir, name));
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        /* a cache: nothing to do */
      }
    }
  }
}
