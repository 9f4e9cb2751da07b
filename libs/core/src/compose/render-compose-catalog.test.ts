/**
 * Every service definition in the shipped catalog (registry-seed/) renders, in prod and in dev mode, to a file the
 * Compose Specification schema accepts, and renders to the same bytes twice.
 */
import { describe, test, expect } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDefinition } from '../load.js';
import { renderCompose } from './render-compose.js';
import { validateComposeSchema } from './validate-compose-schema.js';
import type { ResolvedComponent } from '../model.js';
import { configureComponents } from '../options/configure.js';

const seed = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../registry-seed');

function definitions(): ResolvedComponent[] {
  const out: ResolvedComponent[] = [];
  for (const name of readdirSync(seed).sort()) {
    const dir = join(seed, name);
    if (name === 'groups' || !statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      const definition = parseDefinition(readFileSync(join(dir, file), 'utf8'), `${name}/${file}`);
      if (!definition.services) continue;
      const c: ResolvedComponent = { name: definition.name, version: definition.version, registry: 'builtin', digest: 'sha256:0', definition, mode: 'prod', checkout: `packages/${definition.name}`, reasons: [] };
      // rendered the way `hsm add NAME` renders it: every option at its default
      out.push(configureComponents({ components: [c], manifest: { version: 1, name: 'catalog' }, overlay: {}, manifestText: 'version: 1\nname: catalog\n', overlayText: null })[0]);
    }
  }
  return out;
}

describe('the shipped catalog renders to valid Compose files', () => {
  const all = definitions();
  test('there are service definitions to check', () => {
    expect(all.length).toBeGreaterThan(3);
  });
  for (const c of all) {
    for (const mode of ['prod', 'dev'] as const) {
      test(`${c.name} ${c.version} (${mode})`, async () => {
        const input = { projectName: 'catalog', components: [{ ...c, mode }], checkoutExists: () => true };
        const { text } = renderCompose(input);
        expect(text).not.toBeNull();
        expect(text).not.toContain('${{');
        await validateComposeSchema(text!);
        expect(renderCompose(input).text).toBe(text);
      });
    }
  }
});
