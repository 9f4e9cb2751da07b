import { describe, expect, test } from '@jest/globals';
import type { ResolvedComponent } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';
import { configureComponents } from '../options/configure.js';
import { renderCompose } from '../compose/render-compose.js';
import { composeProjectName } from '../plan/plan-compose.js';
import { planInstance, withInstance, withInstanceBlock, withoutInstanceBlock, instanceBlockValues, declaredPorts } from './plan-instance.js';

const definition: ComponentDefinition = {
  name: 'pg',
  version: '1.0.0',
  options: { port: { type: 'port', default: 5432 }, password: { type: 'string', default: 'pw' } },
  services: { db: { image: 'postgres:16', ports: ['127.0.0.1:${{ options.port }}:5432'] } },
  env: { DATABASE_URL: 'postgresql://u:${{ options.password }}@localhost:${{ options.port }}/app', PGPORT: '${{ options.port }}' },
} as ComponentDefinition;
const resolved: ResolvedComponent = { name: 'pg', version: '1.0.0', registry: 'local', digest: 'sha256:x', mode: 'prod', checkout: 'packages/pg', definition, reasons: [] } as unknown as ResolvedComponent;

function stack(dotenv: string | null, slot: number) {
  const configured = configureComponents({ components: [resolved], manifest: { version: 1, name: 'app' } as never, overlay: {}, manifestText: 'version: 1\n', overlayText: null });
  const composeText = renderCompose({ projectName: 'app', components: configured, checkoutExists: () => true }).text;
  return planInstance({ slot, baseName: 'app', composeText, dotenv, resolved: [resolved], configured });
}

describe('planInstance', () => {
  test('the primary checkout changes no .env and its .hsm/env has the declared ports', () => {
    const mine = 'SECRET=1\n';
    const p = stack(mine, 0);
    expect(p.dotenv).toBe(mine);
    expect(p.projectName).toBe('app');
    expect(p.envFile).toContain('DATABASE_URL=postgresql://u:pw@localhost:5432/app\n');
    expect(stack(null, 0).dotenv).toBeNull();
  });

  test('a second checkout: its own project name and ports in .env, the app settings follow the port option', () => {
    const p = stack('SECRET=1', 2);
    expect(p.projectName).toBe('app-2');
    expect(p.ports).toEqual([expect.objectContaining({ service: 'db', target: '5432', ip: '127.0.0.1', declared: 5432, port: 7432, variable: 'HSM_PORT_DB_5432' })]);
    expect(instanceBlockValues(p.dotenv)).toEqual({ COMPOSE_PROJECT_NAME: 'app-2', HSM_PORT_DB_5432: '7432' });
    expect(p.dotenv!.startsWith('SECRET=1\n# >>> hsm instance')).toBe(true);
    expect(p.envFile).toContain('DATABASE_URL=postgresql://u:pw@localhost:7432/app\n');
    expect(p.envFile).toContain('PGPORT=7432\n');
    expect(p.envFile).toContain('COMPOSE_PROJECT_NAME=app-2\n');
    // the committed project name does not pick up the block
    expect(composeProjectName({ version: 1, name: 'app' } as never, { '.env': p.dotenv, userCompose: null, dirName: 'checkout' })).toBe('app');
    // and going back to the primary takes the block out, leaving the user's bytes (no final newline, as written)
    expect(stack(p.dotenv, 0).dotenv).toBe('SECRET=1');
  });

  test('the block is replaced in place, not added twice; a file holding only the block goes away', () => {
    const once = withInstanceBlock(null, { A: '1' });
    const twice = withInstanceBlock(withInstanceBlock(once, { A: '2' }), { A: '3' });
    expect(twice!.match(/>>> hsm instance/g)).toHaveLength(1);
    expect(instanceBlockValues(twice)).toEqual({ A: '3' });
    expect(withoutInstanceBlock(twice)).toBeNull();
  });

  test('a .env without a final newline gets its exact bytes back when the block goes (LF and CRLF)', () => {
    for (const mine of ['A=1', 'A=1\r\nB=2', 'A=1\n', '']) {
      const once = withInstanceBlock(mine, { K: '1' });
      expect(withoutInstanceBlock(withInstanceBlock(once, { K: '2' }))).toBe(mine === '' ? null : mine);
      expect(withInstanceBlock(once, null)).toBe(mine === '' ? null : mine);
    }
  });

  test('declaredPorts reads the variables the renderer wrote', () => {
    expect(declaredPorts('services:\n  w:\n    ports: ["${HSM_PORT_W_80:-80}:8080", "9000-9001:9000-9001", { target: 53, published: "${HSM_PORT_W_53:-53}", protocol: udp }]\n')).toEqual([
      { service: 'w', component: 'w', target: '8080', ip: null, declared: 80, variable: 'HSM_PORT_W_80' },
      { service: 'w', component: 'w', target: '53/udp', ip: null, declared: 53, variable: 'HSM_PORT_W_53' },
    ]);
  });
});

describe('withInstance', () => {
  test("the block goes into the .env Compose reads: the workspace root's for a member joining its project (issues 9 and 12)", () => {
    const p = stack('A=1\n', 1);
    const member = withInstance({ changes: [], composeDir: '..' } as never, 'A=1\n', p);
    expect(member.changes.map((c) => c.path)).toEqual(['../.env']);
    const flat = withInstance({ changes: [{ path: '.env', before: null, after: 'COMPOSE_FILE=x\n' }], composeDir: '' } as never, 'A=1\n', p);
    expect(flat.changes).toEqual([{ path: '.env', before: 'A=1\n', after: p.dotenv }]);
  });
});
