/** Typed options: declaration rules, interpolation that keeps types, value checks, precedence, secrets (issue 11). */
import { describe, test, expect } from '@jest/globals';
import { parse } from 'yaml';
import { ComponentDefinition } from '../schema/definition.js';
import { parseManifest, parseOverlay, parseDefinition } from '../load.js';
import { ErrorCodes, HsmError } from '../errors.js';
import type { ResolvedComponent } from '../model.js';
import { configureComponents, secretReference } from './configure.js';
import { coerceCommandLineValue } from './option-spec.js';
import { renderEnvFile } from '../compose/render-env-file.js';
import { thrown } from '../../../../test/support/hsm-errors.js';

const POSTGRES = `name: postgres
version: 17.2.1
python: { package: psycopg, requirement: "psycopg[binary]>=\${{ options.client }}" }
options:
  port: { type: port, default: 5432, description: host port }
  version: { type: string, default: "17.2", enum: ["16.6", "17.2"] }
  password: { type: string, default: postgres, pattern: "[A-Za-z0-9$]+" }
  client: { type: string, default: "3.2" }
  debug: { type: boolean, default: false }
  workers: { type: integer, default: 2, min: 1, max: 8 }
  api_key: { type: string, secret: true, env: PG_API_KEY }
services:
  postgres:
    image: "postgres:\${{ options.version }}-alpine"
    ports: ["127.0.0.1:\${{ options.port }}:5432"]
    environment:
      POSTGRES_PASSWORD: "\${{ options.password }}"
      DEBUG: "\${{ options.debug }}"
      WORKERS: "\${{options.workers}}"
      API_KEY: "\${{ options.api_key }}"
    healthcheck: { test: ["CMD", "pg_isready", "-p", "\${{ options.port }}"] }
env:
  DATABASE_URL: "postgresql://postgres:\${{ options.password }}@localhost:\${{ options.port }}/postgres"
  PG_API_KEY: "\${{ options.api_key }}"
`;

function resolved(text = POSTGRES): ResolvedComponent {
  const definition = parseDefinition(text, 'postgres/17.2.1.yaml');
  return { name: definition.name, version: definition.version, registry: 'builtin', digest: 'sha256:0', definition, mode: 'prod', checkout: 'packages/postgres', reasons: [] };
}

function configure(manifestWith: string, overlayWith: string | null = null, bind = '') {
  const manifestText = `version: 1\nname: app\n${bind}components:\n  postgres:\n${manifestWith}`;
  const overlayText = overlayWith === null ? null : `components:\n  postgres:\n${overlayWith}`;
  const { manifest } = parseManifest(manifestText);
  const overlay = overlayText === null ? {} : parseOverlay(overlayText);
  return configureComponents({ components: [resolved()], manifest, overlay, manifestText, overlayText })[0];
}

const error = thrown;

describe('interpolation', () => {
  test('defaults fill every reference; a whole-value reference keeps its type', () => {
    const c = configure('    {}\n');
    const s = c.definition.services!.postgres as Record<string, any>;
    expect(s.image).toBe('postgres:17.2-alpine');
    expect(s.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(s.healthcheck.test).toEqual(['CMD', 'pg_isready', '-p', 5432]);
    expect(s.environment.DEBUG).toBe(false);
    expect(s.environment.WORKERS).toBe(2);
    expect(c.definition.python!.requirement).toBe('psycopg[binary]>=3.2');
    expect(c.definition.env!.DATABASE_URL).toBe('postgresql://postgres:postgres@localhost:5432/postgres');
  });

  test('values from hsm.yaml, the overlay winning key by key', () => {
    const c = configure('    with: { port: 5433, version: "16.6", workers: 4 }\n', '    with: { port: 6543 }\n');
    const s = c.definition.services!.postgres as Record<string, any>;
    expect(s.ports).toEqual(['127.0.0.1:6543:5432']);
    expect(s.image).toBe('postgres:16.6-alpine');
    expect(c.definition.env!.DATABASE_URL).toContain('@localhost:6543/');
    expect(c.options.changed).toEqual({ port: { value: 6543, file: 'hsm.local.yaml' }, version: { value: '16.6', file: 'hsm.yaml' }, workers: { value: 4, file: 'hsm.yaml' } });
  });

  test('a `$` in a value is escaped for Compose, and kept as is in hsm.env', () => {
    const c = configure('    with: { password: "pa$word" }\n');
    expect((c.definition.services!.postgres as any).environment.POSTGRES_PASSWORD).toBe('pa$$word');
    expect(c.definition.env!.DATABASE_URL).toBe('postgresql://postgres:pa$word@localhost:5432/postgres');
  });

  test('compose.bind: 0.0.0.0 rewrites loopback bindings; the default leaves them', () => {
    expect((configure('    {}\n', null, 'compose: { bind: 0.0.0.0 }\n').definition.services!.postgres as any).ports).toEqual(['0.0.0.0:5432:5432']);
    expect((configure('    {}\n', null, 'compose: { bind: 127.0.0.1 }\n').definition.services!.postgres as any).ports).toEqual(['127.0.0.1:5432:5432']);
  });

  test('a definition without options is passed through untouched', () => {
    const plain = resolved('name: plain\nversion: 1.0.0\nservices: { s: { image: "x:1", environment: { A: "${B}" } } }\n');
    const { manifest } = parseManifest('version: 1\nname: app\n');
    const [c] = configureComponents({ components: [plain], manifest, overlay: {}, manifestText: 'version: 1\nname: app\n', overlayText: null });
    expect(c.definition).toBe(plain.definition);
  });
});

describe('secrets', () => {
  test('a secret is a Compose variable reference in services and withheld from hsm.env', () => {
    const c = configure('    {}\n');
    expect((c.definition.services!.postgres as any).environment.API_KEY).toBe(secretReference('PG_API_KEY'));
    expect(secretReference('PG_API_KEY')).toBe('${PG_API_KEY:?set PG_API_KEY in .env}');
    expect(c.definition.env!.PG_API_KEY).toBeUndefined();
    expect(c.withheldEnv).toEqual({ PG_API_KEY: 'PG_API_KEY' });
    const env = renderEnvFile([c])!;
    expect(env).toContain('# PG_API_KEY is a secret: set it in .env');
    expect(env).not.toMatch(/^PG_API_KEY=/m);
  });

  test('setting a secret in hsm.yaml is refused without repeating the value', () => {
    const e = error(() => configure('    with: { api_key: sk-very-secret-123 }\n'));
    expect(e.code).toBe(ErrorCodes.OPTION_INVALID);
    expect(`${e.message} ${e.hint} ${e.location} ${JSON.stringify(e.toJSON())}`).not.toContain('sk-very-secret-123');
  });

  test('a secret cannot have a default, must name its variable, and cannot go into python.requirement', () => {
    const bad = (options: string, extra = '') => ComponentDefinition.safeParse(parse(`name: x\nversion: 1.0.0\npython: { package: x${extra} }\noptions: ${options}\n`)).success;
    expect(bad('{ k: { type: string, secret: true, env: K } }')).toBe(true);
    expect(bad('{ k: { type: string, secret: true, env: K, default: abc } }')).toBe(false);
    expect(bad('{ k: { type: string, secret: true } }')).toBe(false);
    expect(bad('{ k: { type: string, secret: true, env: K } }', ', requirement: "x==${{ options.k }}"')).toBe(false);
  });
});

describe('values are checked: HSM_OPTION_INVALID with file:line:col', () => {
  const cases: Array<[string, string, string, string]> = [
    ['unknown option with did-you-mean', '    with: { prot: 5433 }\n', 'hsm.yaml:5:13', '`port`'],
    ['a port given as a string', '    with:\n      port: "5433"\n', 'hsm.yaml:6:13', 'port'],
    ['a port out of range', '    with: { port: 70000 }\n', 'hsm.yaml:5:19', '1–65535'],
    ['not in enum', '    with: { version: "15" }\n', 'hsm.yaml:5:22', '16.6, 17.2'],
    ['a YAML float for a string option', '    with: { version: 16.6 }\n', 'hsm.yaml:5:22', 'quote it'],
    ['above max', '    with: { workers: 9 }\n', 'hsm.yaml:5:22', 'maximum 8'],
    ['a boolean given as a string', '    with: { debug: "yes" }\n', 'hsm.yaml:5:20', 'boolean'],
    ['pattern mismatch', '    with: { password: "a b" }\n', 'hsm.yaml:5:23', 'pattern'],
  ];
  test.each(cases)('%s', (_, withText, location, mention) => {
    const e = error(() => configure(withText));
    expect(e.code).toBe(ErrorCodes.OPTION_INVALID);
    expect(e.exitCode).toBe(2);
    expect(e.location).toBe(location);
    expect(`${e.message} ${e.hint}`).toContain(mention);
  });

  test('a bad value in the overlay names the overlay', () => {
    const e = error(() => configure('    {}\n', '    with: { port: 0 }\n'));
    expect(e.location).toBe('hsm.local.yaml:3:19');
  });
});

describe('declarations are checked (definition errors naming the field)', () => {
  const defError = (body: string) => {
    try {
      parseDefinition(`name: x\nversion: 1.0.0\n${body}`, 'x/1.0.0.yaml');
    } catch (e) {
      return e as HsmError;
    }
    return null;
  };
  test.each([
    ['an undeclared reference', 'services: { s: { image: "x:${{ options.tag }}" } }\noptions: { tga: { type: string, default: "1" } }\n', 'services.s.image'],
    ['a malformed reference', 'services: { s: { image: "x:${{ option.tag }}" } }\n', 'services.s.image'],
    ['a reference in a key', 'services: { s: { image: x, environment: { "${{ options.k }}": v } } }\noptions: { k: { type: string, default: a } }\n', 'services.s.environment'],
    ['a default of the wrong type', 'python: { package: x }\noptions: { port: { type: port, default: "5432" } }\n', 'options.port.default'],
    ['a default outside the enum', 'python: { package: x }\noptions: { v: { type: string, default: "3", enum: ["1", "2"] } }\n', 'options.v.default'],
    ['an unknown type', 'python: { package: x }\noptions: { v: { type: float } }\n', 'options.v.type'],
    ['min on a string', 'python: { package: x }\noptions: { v: { type: string, min: 1 } }\n', 'options.v.min'],
    ['env without secret', 'python: { package: x }\noptions: { v: { type: string, env: V } }\n', 'options.v.env'],
  ])('%s', (_, body, field) => {
    const e = defError(body);
    expect(e?.code).toBe(ErrorCodes.DEFINITION_INVALID);
    expect(e?.message).toContain(`\`${field}`);
  });
});

test('command-line values are converted to the option type (never "5433" for a port)', () => {
  expect(coerceCommandLineValue('port', '5433')).toBe(5433);
  expect(coerceCommandLineValue('integer', '-3')).toBe(-3);
  expect(coerceCommandLineValue('boolean', 'true')).toBe(true);
  expect(coerceCommandLineValue('boolean', 'yes')).toBeNull();
  expect(coerceCommandLineValue('port', 'abc')).toBeNull();
  expect(coerceCommandLineValue('string', '17.2')).toBe('17.2');
});

describe('helpers the shell uses', () => {
  test('secret variables of a compose file, and which are unset (names only)', async () => {
    const { secretVariablesIn, unsetSecretVariables } = await import('./secret-variables.js');
    const text = `services:\n  a:\n    environment:\n      K: \${A_KEY:?set A_KEY in .env}\n      L: \${B_KEY:?set B_KEY in .env}\n      M: \${NOT_OURS}\n`;
    expect(secretVariablesIn(text)).toEqual(['A_KEY', 'B_KEY']);
    expect(unsetSecretVariables(text, '# c\nA_KEY=x\nB_KEY=\n', [])).toEqual(['B_KEY']);
    expect(unsetSecretVariables(text, null, ['B_KEY', 'A_KEY'])).toEqual([]);
  });

  test('host ports a generated compose file publishes, with service and component', async () => {
    const { stackHostPorts } = await import('./stack-ports.js');
    const text = `services:\n  db:\n    ports: ["127.0.0.1:5433:5432", "9000:9000/udp"]\n    labels: { dev.hsm.component: postgres }\n`;
    expect(stackHostPorts(text)).toEqual([
      { service: 'db', component: 'postgres', ip: '127.0.0.1', port: 5433, protocol: 'tcp' },
      { service: 'db', component: 'postgres', ip: null, port: 9000, protocol: 'udp' },
    ]);
  });

  test('bindPorts rewrites only loopback bindings, long syntax and dev fragments too', async () => {
    const { bindPorts } = await import('./bind-ports.js');
    const out = bindPorts({ s: { ports: ['127.0.0.1:1:1', '10.0.0.2:2:2', { target: 3, published: 3, host_ip: '127.0.0.1' }], dev: { ports: ['127.0.0.1:4:4'] } } }, '0.0.0.0');
    expect(out.s.ports).toEqual(['0.0.0.0:1:1', '10.0.0.2:2:2', { target: 3, published: 3, host_ip: '0.0.0.0' }]);
    expect(out.s.dev!.ports).toEqual(['0.0.0.0:4:4']);
  });
});
