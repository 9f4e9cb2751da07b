/**
 * Definitions are untrusted (issue 16): each fixture in test/fixtures/definitions/unsafe is refused with the code,
 * key and capability its first line names, at the key's line; the same definition passes once hsm.yaml allows the
 * capability; nothing in the safe fixture or the shipped catalog needs an allowance.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../errors.js';
import { parseDefinition, parseDefinitionWithOrigin, parseManifest } from '../load.js';
import type { ResolvedComponent } from '../model.js';
import { planSync, type ProjectFiles } from '../plan/plan-sync.js';
import { checkServiceSafety, unsafeFindings } from './check-service-safety.js';
import { definitionCapabilities } from './definition-capabilities.js';
import { thrown } from '../../../../test/support/hsm-errors.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, '../../../../test/fixtures/definitions');
const seed = join(here, '../../../../registry-seed');

function fixture(dir: string, file: string): { component: ResolvedComponent; text: string } {
  const path = join(fixtures, dir, file);
  const text = readFileSync(path, 'utf8');
  const { definition, origin } = parseDefinitionWithOrigin(text, `${dir}/${file}`);
  return { text, component: { name: definition.name, version: definition.version, registry: 'fixtures', digest: 'sha256:0', definition, mode: 'prod', checkout: `packages/${definition.name}`, reasons: [], origin } };
}

const unsafe = readdirSync(join(fixtures, 'unsafe'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('unsafe definitions', () => {
  test('the fixture folder is not empty', () => {
    expect(unsafe.length).toBeGreaterThanOrEqual(20);
  });

  test.each(unsafe)('%s is refused at the key it names, and accepted once allowed', (file) => {
    const { component, text } = fixture('unsafe', file);
    const [code, key, ...capabilities] = /^# expect: (.*)$/m.exec(text)![1].trim().split(/\s+/);
    const e = thrown(() => checkServiceSafety([component], () => []));
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(2);
    const [first] = unsafeFindings([component], () => []);
    expect(first.path.join('.')).toBe(key);
    expect(first.capability).toBe(capabilities[0]);
    expect(definitionCapabilities(component.definition)).toEqual(expect.arrayContaining(capabilities));
    // the location is the line the key (or list item) is written on
    const [where, line] = e.location!.split(':');
    expect(where).toBe(`unsafe/${file}`);
    const last = key.split('.').pop()!;
    const written = text.split('\n')[Number(line) - 1];
    expect(/^\d+$/.test(last) ? written : written.trimStart().startsWith(`${last}:`)).toBeTruthy();
    expect(() => checkServiceSafety([component], () => capabilities)).not.toThrow();
  });

  test('the hint lists every capability the component needs, so one edit is enough', () => {
    const { component } = fixture('unsafe', 'host-root.yaml');
    const e = thrown(() => checkServiceSafety([component], () => []));
    expect(e.hint).toContain('components.unsafe.allow: [host-mounts, docker-socket]');
  });

  test('a definition from a registry without files is named by registry and version', () => {
    const { component } = fixture('unsafe', 'privileged.yaml');
    const { origin: _origin, ...fromService } = component;
    const e = thrown(() => checkServiceSafety([{ ...fromService, registry: 'team' }], () => []));
    expect(e.location).toBeUndefined();
    expect(e.message).toContain('unsafe 1.0.0 (registry team)');
  });
});

describe('what needs no allowance', () => {
  test('the safe fixture', () => {
    const { component } = fixture('safe', 'everything-safe.yaml');
    expect(definitionCapabilities(component.definition)).toEqual([]);
  });

  test('the built-in catalog', () => {
    const needs: string[] = [];
    for (const name of readdirSync(seed).sort()) {
      const dir = join(seed, name);
      if (name === 'groups' || !statSync(dir).isDirectory()) continue;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
        const definition = parseDefinition(readFileSync(join(dir, file), 'utf8'), `${name}/${file}`);
        const caps = definitionCapabilities(definition);
        if (caps.length) needs.push(`${name}/${file}: ${caps.join(', ')}`);
      }
    }
    expect(needs).toEqual([]);
  });
});

describe('planSync', () => {
  const files = (manifest: string): ProjectFiles => ({
    'hsm.yaml': manifest,
    'hsm.local.yaml': null,
    'hsm.lock': null,
    'pyproject.toml': null,
    'uv.lock': null,
    'docker-compose.hsm.yml': null,
    'hsm.env': null,
    '.env': null,
    userCompose: null,
  });
  const plan = (manifestText: string, component: ResolvedComponent) =>
    planSync({
      manifest: parseManifest(manifestText).manifest,
      manifestText,
      overlayText: null,
      files: files(manifestText),
      lock: null,
      resolution: { components: [component], interfaces: {} },
      checkouts: { [component.name]: true },
      projectDir: '/work/demo',
    });

  test('refuses before rendering, and renders once hsm.yaml allows it', () => {
    const { component } = fixture('unsafe', 'docker-socket.yaml');
    expect(thrown(() => plan('version: 1\nname: demo\ncomponents:\n  unsafe: {}\n', component)).code).toBe(ErrorCodes.SERVICE_UNSAFE);
    const ok = plan('version: 1\nname: demo\ncomponents:\n  unsafe:\n    allow: [docker-socket]\n', component);
    expect(ok.changes.find((c) => c.path === 'docker-compose.hsm.yml')?.after).toContain('/var/run/docker.sock:/var/run/docker.sock');
  });

  test('host-mounts also lets a dev bind mount leave the checkout (otherwise HSM_PATH_UNSAFE)', () => {
    const { component } = fixture('unsafe', 'dev-escapes-checkout.yaml');
    const dev = { ...component, mode: 'dev' as const };
    expect(thrown(() => plan('version: 1\nname: demo\ncomponents:\n  unsafe: {}\n', dev)).code).toBe(ErrorCodes.SERVICE_UNSAFE);
    expect(() => plan('version: 1\nname: demo\ncomponents:\n  unsafe: { allow: [host-mounts] }\n', dev)).not.toThrow();
  });

  test('an unknown capability in hsm.yaml is a located error with a suggestion', () => {
    const e = thrown(() => parseManifest('version: 1\nname: demo\ncomponents:\n  unsafe:\n    allow: [host-mount]\n'));
    expect(e.code).toBe(ErrorCodes.MANIFEST_INVALID);
    expect(e.location).toMatch(/^hsm\.yaml:5:/);
    expect(e.message).toContain('`host-mounts`');
  });
});
