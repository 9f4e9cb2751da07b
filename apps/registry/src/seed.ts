/**
 * `npm run registry:seed`: publishes every `registry-seed/<name>/<version>.yaml` to a registry. Idempotent: a
 * version already published with the same content answers 200 and counts as unchanged; one published with
 * different content (409) is reported and fails the run, since published versions are immutable.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, HsmError, parseDefinition, type ComponentDefinition } from '@hsm/core';

export interface SeedOptions {
  registryUrl: string;
  token: string;
  dir: string;
  concurrency?: number;
  fetch?: typeof fetch;
}

export interface SeedReport {
  published: string[];
  unchanged: string[];
  failed: { id: string; status: number; code: string; message: string }[];
}

/** Reads and validates every definition first, so a bad file fails the run before anything is published. */
export async function readSeed(dir: string): Promise<ComponentDefinition[]> {
  const out: ComponentDefinition[] = [];
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name !== 'groups')
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const files = (await readdir(join(dir, name))).filter((f) => f.endsWith('.yaml')).sort();
    for (const f of files) {
      const file = join(dir, name, f);
      const def = parseDefinition(await readFile(file, 'utf8'), file);
      if (def.name !== name || `${def.version}.yaml` !== f) {
        throw new HsmError(ErrorCodes.DEFINITION_INVALID, `${file} holds ${def.name}@${def.version}; expected ${name}/${def.version}.yaml`, {
          hint: 'a folder registry keeps <name>/<version>.yaml',
        });
      }
      out.push(def);
    }
  }
  return out;
}

export async function seedRegistry(opts: SeedOptions): Promise<SeedReport> {
  const definitions = await readSeed(opts.dir);
  const doFetch = opts.fetch ?? fetch;
  const base = opts.registryUrl.replace(/\/+$/, '');
  const report: SeedReport = { published: [], unchanged: [], failed: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < definitions.length) {
      const def = definitions[next++];
      const id = `${def.name}@${def.version}`;
      let res: Response;
      try {
        res = await doFetch(`${base}/v1/components/${def.name}/versions/${def.version}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(def),
        });
      } catch (e) {
        throw new HsmError(ErrorCodes.NETWORK, `cannot reach the registry at ${base}: ${(e as Error).message}`, {
          hint: 'check HSM_REGISTRY_URL and that the registry is running (npm run registry:start)',
          cause: e,
        });
      }
      const text = await res.text();
      if (res.status === 201) report.published.push(id);
      else if (res.status === 200) report.unchanged.push(id);
      else {
        let code = ErrorCodes.REGISTRY_ERROR as string;
        let message = text.slice(0, 300);
        try {
          const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
          code = body.error?.code ?? code;
          message = body.error?.message ?? message;
        } catch {
          /* not JSON: keep the raw text */
        }
        if (res.status === 401 || res.status === 403 || res.status === 429) {
          throw new HsmError(ErrorCodes.AUTH, `registry refused ${id}: ${res.status} ${code}: ${message}`, {
            hint: 'set HSM_REGISTRY_TOKEN to a token with the publish scope (or the admin token)',
          });
        }
        report.failed.push({ id, status: res.status, code, message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, definitions.length) }, worker));
  report.published.sort();
  report.unchanged.sort();
  return report;
}
