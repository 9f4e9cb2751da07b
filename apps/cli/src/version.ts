/**
 * The hsm version, and how this copy was installed (for `hsm --version`). Cheap on purpose: it runs on the
 * `--version` fast path, so it looks only at where the bundle lies and at the launcher's environment.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __HSM_VERSION__: string | undefined;
export const VERSION: string = typeof __HSM_VERSION__ === 'string' ? __HSM_VERSION__ : '0.0.0-dev';

/** The npm package name of the self-contained CLI (scripts/package/pack-npm.mjs). */
const NPM_PACKAGE = 'hyper-stack-manager';

/**
 * How this hsm was installed: the Python launcher (python/hsm/_launcher.py) says so in HSM_INSTALLER
 * ("uv tool", "uvx", …); otherwise the bundle's location tells npm global / npx / project-local npm / a clone.
 */
export function installedBy(bundleDir = dirname(fileURLToPath(import.meta.url)), env: NodeJS.ProcessEnv = process.env): string {
  if (env.HSM_INSTALLER) return env.HSM_INSTALLER;
  const p = bundleDir.split(sep).join('/');
  if (p.includes('/_npx/')) return 'npx';
  if (p.includes(`/node_modules/${NPM_PACKAGE}/`)) {
    return /\/lib\/node_modules\/|\/npm\/node_modules\//.test(p) ? 'npm global' : 'npm, in a project';
  }
  const clone = join(bundleDir, '..', '..', '..');
  if (p.endsWith('/apps/cli/dist') && existsSync(join(clone, 'apps', 'cli', 'build.mjs'))) return `from a clone at ${clone}`;
  return `from ${bundleDir}`;
}

/** `hsm 0.1.0 (npm global; Node v20.20.2)`. */
export function versionLine(): string {
  const node = process.env.HSM_NODE_SOURCE ? `Node ${process.version} from ${process.env.HSM_NODE_SOURCE}` : `Node ${process.version}`;
  return `hsm ${VERSION} (${installedBy()}; ${node})`;
}

declare const __HSM_BUILD__: string | undefined;
/** Changes with every change of the bundled sources (build.mjs hashes them); null when running unbundled. */
export const BUILD_ID: string | null = typeof __HSM_BUILD__ === 'string' ? __HSM_BUILD__ : null;
