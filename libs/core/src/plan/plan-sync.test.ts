import { describe, expect, test } from '@jest/globals';
import { planSync, type ProjectFiles, type SyncPlan } from './plan-sync.js';
import { parseManifest } from '../load.js';
import type { ResolvedComponent, Resolution } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';

function component(definition: Partial<ComponentDefinition> & { name: string }, extra: Partial<ResolvedComponent> = {}): ResolvedComponent {
  const def = { version: '1.0.0', ...definition } as ComponentDefinition;
  return { name: def.name, version: def.version, registry: 'local', digest: 'sha256:0', definition: def, mode: 'prod', checkout: `packages/${def.name}`, reasons: [{ kind: 'manifest', range: '*' }], ...extra };
}

const redis = component({ name: 'redis', services: { redis: { image: 'redis:7', ports: ['6379:6379'] } } });

function files(over: Partial<ProjectFiles> = {}): ProjectFiles {
  return { 'hsm.yaml': '', 'hsm.local.yaml': null, 'hsm.lock': null, 'pyproject.toml': null, 'uv.lock': null, 'docker-compose.hsm.yml': null, 'hsm.env': null, '.env': null, userCompose: null, ...over };
}

function plan(manifestText: string, f: ProjectFiles, components: ResolvedComponent[]): SyncPlan {
  const { manifest } = parseManifest(manifestText, 'hsm.yaml');
  const resolution: Resolution = { components, interfaces: {} };
  return planSync({ manifest, manifestText, overlayText: f['hsm.local.yaml'], files: { ...f, 'hsm.yaml': manifestText }, resolution, checkoutExists: () => true });
}

/** Applies a plan's changes to `f` (what the transaction writes). */
function apply(f: ProjectFiles, p: SyncPlan): ProjectFiles {
  const out: ProjectFiles = { ...f };
  for (const c of p.changes) {
    if (f.userCompose && c.path === f.userCompose.file) out.userCompose = c.after === null ? null : { file: c.path, text: c.after };
    else (out as unknown as Record<string, string | null>)[c.path] = c.after;
  }
  return out;
}

const USER = 'services:\n  web:\n    image: web:1\n';

describe('compose.link switches undo the other modes', () => {
  const MANIFEST = (link: string) => `version: 1\nname: demo\ncompose: { link: ${link} }\ncomponents: { redis: {} }\n`;
  for (const to of ['env', 'none']) {
    test(`include → ${to} takes hsm's include entry out of the user's file (issue 9 item 3)`, () => {
      let f = files({ userCompose: { file: 'compose.yaml', text: USER } });
      f = apply(f, plan(MANIFEST('include'), f, [redis]));
      expect(f.userCompose!.text).toContain('docker-compose.hsm.yml');
      f = apply(f, plan(MANIFEST(to), f, [redis]));
      expect(f.userCompose!.text).toBe(USER);
      if (to === 'env') expect(f['.env']).toContain('COMPOSE_FILE=compose.yaml:docker-compose.hsm.yml');
      f = apply(f, plan(MANIFEST(to).replace('{ redis: {} }', '{}'), f, []));
      expect(f.userCompose!.text).toBe(USER);
      expect(f['.env']).toBeNull();
      expect(f['docker-compose.hsm.yml']).toBeNull();
    });
  }
  test('env → include takes the COMPOSE_FILE line back out of .env', () => {
    let f = files({ userCompose: { file: 'compose.yaml', text: USER }, '.env': 'A=1\n' });
    f = apply(f, plan(MANIFEST('env'), f, [redis]));
    expect(f['.env']).toContain('COMPOSE_FILE=');
    f = apply(f, plan(MANIFEST('include'), f, [redis]));
    expect(f['.env']).toBe('A=1\n');
    expect(f.userCompose!.text).toContain('- docker-compose.hsm.yml');
  });
});
