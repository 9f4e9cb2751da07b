/**
 * Typed options through the built `hsm` (issue 11), files only (`--no-install`): the fixture folder of invalid
 * option definitions and values (each paired with its code and location, nothing written), `hsm set` / `--local` /
 * `--unset` / `hsm add --with` editing in place, a host port already in use, and secrets that never reach a file
 * hsm writes nor its output.
 */
import { describe, expect, test } from '@jest/globals';
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, relative } from 'node:path';
import { hsm, tempDir, snapshot, REPO } from '../support/hsm-cli.js';

const FIXTURES = join(REPO, 'test/fixtures/options/invalid');

/** A temp project using `component.yaml` (and the case's hsm.yaml / hsm.local.yaml) from a fixture folder. */
async function projectFrom(caseDir: string): Promise<string> {
  const dir = await tempDir('hsm-opt-');
  await mkdir(join(dir, 'reg', 'svc'), { recursive: true });
  await cp(join(caseDir, 'component.yaml'), join(dir, 'reg', 'svc', '1.0.0.yaml'));
  await cp(join(caseDir, 'hsm.yaml'), join(dir, 'hsm.yaml'));
  if (existsSync(join(caseDir, 'hsm.local.yaml'))) await cp(join(caseDir, 'hsm.local.yaml'), join(dir, 'hsm.local.yaml'));
  return dir;
}

const VALID = join(FIXTURES, 'unknown-option');
async function validProject(manifestTail = 'components:\n  svc: {}\n'): Promise<string> {
  const dir = await projectFrom(VALID);
  const head = (await readFile(join(dir, 'hsm.yaml'), 'utf8')).split('components:')[0].replace(/^# expect:.*\n/, '# the team manifest\n');
  await writeFile(join(dir, 'hsm.yaml'), head + manifestTail);
  return dir;
}

describe('invalid option definitions and values (test/fixtures/options/invalid)', () => {
  const cases = readdirSync(FIXTURES).sort();
  test('the folder has cases for values and for definitions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  test.each(cases)('%s', async (name) => {
    const dir = await projectFrom(join(FIXTURES, name));
    const expectLine = (await readFile(join(dir, 'hsm.yaml'), 'utf8')).split('\n')[0];
    const m = /^# expect: (HSM_[A-Z_]+)(?: at (\S+))?$/.exec(expectLine);
    expect(m).not.toBeNull();
    const before = snapshot(dir);
    const r = await hsm(['sync', '--no-install', '--json'], { cwd: dir });
    expect({ code: r.code, error: r.json?.error?.code }).toEqual({ code: 2, error: m![1] });
    if (m![2]) expect(r.json.error.message.startsWith(`${m![2]}:`)).toBe(true);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('hsm set / hsm add --with', () => {
  test('writes typed values in place (comments kept), the overlay wins, --unset takes them back', async () => {
    const dir = await validProject('components:\n  # the service\n  svc: {}\n');
    let r = await hsm(['set', 'svc', 'port=18080', 'version=1.1', 'workers=4', '--no-install'], { cwd: dir });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const manifest = await readFile(join(dir, 'hsm.yaml'), 'utf8');
    expect(manifest).toContain('# the team manifest\n');
    expect(manifest).toMatch(/with:\n\s+port: 18080\n\s+version: "1\.1"\n\s+workers: 4\n/);
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('127.0.0.1:${HSM_PORT_SVC_18080:-18080}:80');
    expect(await readFile(join(dir, 'hsm.env'), 'utf8')).toContain('SVC_URL=http://127.0.0.1:18080');

    r = await hsm(['set', 'svc', 'port=18081', '--local', '--no-install'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toBe(manifest);
    expect(await readFile(join(dir, 'hsm.local.yaml'), 'utf8')).toMatch(/components:\n {2}svc:\n {4}with:\n {6}port: 18081\n/);
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('127.0.0.1:${HSM_PORT_SVC_18081:-18081}:80');
    const status = await hsm(['status', '--json'], { cwd: dir });
    expect(status.json.options).toEqual({ svc: { port: 18081, version: '1.1', workers: 4 } });

    r = await hsm(['set', 'svc', 'port', '--unset', '--local', '--no-install'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('127.0.0.1:${HSM_PORT_SVC_18080:-18080}:80');
    r = await hsm(['set', 'svc', 'port', 'version', 'workers', '--unset', '--no-install'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toContain('components:\n  # the service\n  svc: {}\n');
  });

  test('a refused value names file:line:col, exits 2 and writes nothing', async () => {
    const dir = await validProject();
    expect((await hsm(['sync', '--no-install'], { cwd: dir })).code).toBe(0);
    const before = snapshot(dir);
    for (const args of [['port=http'], ['prot=1'], ['version=3'], ['workers=99'], ['token=s3cr3t-value']]) {
      const r = await hsm(['set', 'svc', ...args, '--no-install', '--json'], { cwd: dir });
      expect({ args, code: r.code, error: r.json?.error?.code }).toEqual({ args, code: 2, error: 'HSM_OPTION_INVALID' });
      expect(r.json.error.message).toMatch(/^hsm\.yaml:\d+:\d+: /);
      expect(r.stdout + r.stderr).not.toContain('s3cr3t-value');
      expect(snapshot(dir)).toEqual(before);
    }
    const unknown = await hsm(['set', 'svc', 'prot=1', '--no-install'], { cwd: dir });
    expect(unknown.stderr).toContain('did you mean `port`');
  });

  test('hsm add NAME --with KEY=VALUE types the value by the definition', async () => {
    const dir = await validProject('components: {}\n');
    const r = await hsm(['add', 'svc', '--with', 'port=18090', '--with', 'version=1.1', '--no-install'], { cwd: dir });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toMatch(/svc:\n\s+with:\n\s+port: 18090\n\s+version: "1\.1"\n/);
  });

  test('hsm set --no-sync edits hsm.yaml only; hsm plan shows the artifact diff the change causes', async () => {
    const dir = await validProject();
    expect((await hsm(['sync', '--no-install'], { cwd: dir })).code).toBe(0);
    const compose = await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8');
    expect((await hsm(['set', 'svc', 'port=18095', '--no-sync'], { cwd: dir })).code).toBe(0);
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toBe(compose);
    const plan = await hsm(['plan'], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('-      - 127.0.0.1:${HSM_PORT_SVC_8080:-8080}:80');
    expect(plan.stdout).toContain('+      - 127.0.0.1:${HSM_PORT_SVC_18095:-18095}:80');
    expect(plan.stdout).toContain('+SVC_URL=http://127.0.0.1:18095');
  });

  test('hsm info shows the options table', async () => {
    const dir = await validProject();
    const r = await hsm(['info', 'svc'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/# {3}port +port +8080 +1–65535 +host port/);
    expect(r.stdout).toMatch(/# {3}token +string \(secret\) +\$SVC_TOKEN/);
  });
});

describe('a host port already in use on this machine', () => {
  test('is refused before anything is written, naming the port, the service and the option that moves it', async () => {
    const server: Server = await new Promise((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const busy = (server.address() as { port: number }).port;
      const dir = await validProject();
      expect((await hsm(['sync', '--no-install'], { cwd: dir })).code).toBe(0);
      const before = snapshot(dir);
      // (no Python side here, so a full sync runs no uv; `--no-install` would skip the check: files only)
      const r = await hsm(['set', 'svc', `port=${busy}`, '--json'], { cwd: dir });
      expect({ code: r.code, error: r.json?.error?.code }).toEqual({ code: 2, error: 'HSM_PORT_IN_USE' });
      expect(r.json.error.message).toContain(`127.0.0.1:${busy}/tcp`);
      expect(r.json.error.message).toContain('service svc');
      expect(r.json.error.hint).toContain('hsm set svc port=<port> --local');
      expect(snapshot(dir)).toEqual(before);
      // CI with its own service containers on the port: --no-port-check writes the files anyway
      expect((await hsm(['set', 'svc', `port=${busy}`, '--no-port-check'], { cwd: dir })).code).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if ((await stat(p)).isFile()) out.push(p);
  }
  return out;
}

describe('secrets', () => {
  test('with the secret set in the environment and in .env, no file hsm wrote and no output contains it', async () => {
    const SECRET = 'sk-test-4f9d2c7e1b0a';
    const dir = await validProject();
    // a Python side too, so pyproject.toml is rendered; and the secret in the user's own .env
    await writeFile(join(dir, 'reg', 'svc', '1.0.0.yaml'), (await readFile(join(dir, 'reg', 'svc', '1.0.0.yaml'), 'utf8')) + 'python: { package: svc-client }\n');
    await writeFile(join(dir, '.env'), `SVC_TOKEN=${SECRET}\n`);
    const env = { SVC_TOKEN: SECRET };
    const outputs: string[] = [];
    for (const args of [
      ['sync', '--no-install'],
      ['set', 'svc', 'port=18085', '--no-install'],
      ['sync', '--no-install', '--json'],
      ['plan'],
      ['status', '--json'],
      ['info', 'svc', '--json'],
      ['doctor', '--json'],
      ['set', 'svc', `token=${SECRET}`, '--no-install', '--verbose'],
    ]) {
      const r = await hsm(args, { cwd: dir, env });
      outputs.push(r.stdout, r.stderr);
    }
    // the one refusal above is the user typing the secret on the command line: it is not echoed back
    expect(outputs.join('\n')).not.toContain(SECRET);
    const written = (await filesUnder(dir)).filter((f) => relative(dir, f) !== '.env');
    expect(written.map((f) => relative(dir, f))).toEqual(expect.arrayContaining(['hsm.yaml', 'hsm.lock', 'pyproject.toml', 'docker-compose.hsm.yml', 'hsm.env']));
    for (const f of written) expect({ file: relative(dir, f), leaks: (await readFile(f, 'latin1')).includes(SECRET) }).toEqual({ file: relative(dir, f), leaks: false });
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('TOKEN: ${SVC_TOKEN:?set SVC_TOKEN in .env}');
    expect(await readFile(join(dir, 'hsm.env'), 'utf8')).not.toMatch(/^SVC_TOKEN=/m);
    const doctor = await hsm(['doctor', '--json'], { cwd: dir, env: { SVC_TOKEN: '' } });
    expect(doctor.json.secrets).toEqual([{ variable: 'SVC_TOKEN', set: true }]);
  });

  test('hsm doctor names an unset secret variable', async () => {
    const dir = await validProject();
    expect((await hsm(['sync', '--no-install'], { cwd: dir, env: { SVC_TOKEN: '' } })).code).toBe(0);
    const doctor = await hsm(['doctor', '--json'], { cwd: dir, env: { SVC_TOKEN: '' } });
    expect(doctor.json.secrets).toEqual([{ variable: 'SVC_TOKEN', set: false }]);
  });
});
