import { describe, expect, test } from '@jest/globals';
import { planSync, type ProjectFiles, type SyncPlan } from './plan-sync.js';
import { plannedCompose } from './plan-compose.js';
import { parseManifest, parseLock } from '../load.js';
import { ErrorCodes, type HsmError } from '../errors.js';
import type { ResolvedComponent, Resolution } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';

function component(definition: Partial<ComponentDefinition> & { name: string }, extra: Partial<ResolvedComponent> = {}): ResolvedComponent {
  const def = { version: '1.0.0', ...definition } as ComponentDefinition;
  return {
    name: def.name,
    version: def.version,
    registry: 'local',
    digest: `sha256:${'0'.repeat(64)}`,
    definition: def,
    mode: 'prod',
    checkout: `packages/${def.name}`,
    reasons: [{ kind: 'manifest', range: '*' }],
    ...extra,
  };
}

const redis = component({ name: 'redis', services: { redis: { image: 'redis:7', ports: ['127.0.0.1:6379:6379'] } } });

function files(over: Partial<ProjectFiles> = {}): ProjectFiles {
  return { 'hsm.yaml': '', 'hsm.local.yaml': null, 'hsm.lock': null, 'pyproject.toml': null, 'uv.lock': null, 'docker-compose.hsm.yml': null, 'hsm.env': null, '.env': null, userCompose: null, ...over };
}

function plan(manifestText: string, f: ProjectFiles, components: ResolvedComponent[]): SyncPlan {
  const { manifest } = parseManifest(manifestText, 'hsm.yaml');
  const resolution: Resolution = { components, interfaces: {} };
  const lock = f['hsm.lock'] === null ? null : parseLock(f['hsm.lock'], 'hsm.lock');
  const checkouts = Object.fromEntries(components.map((c) => [c.name, true]));
  return planSync({ manifest, manifestText, overlayText: f['hsm.local.yaml'], files: { ...f, 'hsm.yaml': manifestText }, lock, resolution, checkouts, projectDir: '/project' });
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

describe('the generated compose file as the plan leaves it', () => {
  const MANIFEST = (components: string) => `version: 1\nname: demo\ncomponents: ${components}\n`;
  test('a plan that deletes it leaves none: no ports for the instance, no file to check (not the bytes it replaces)', () => {
    const f = apply(files(), plan(MANIFEST('{ redis: {} }'), files(), [redis]));
    expect(f['docker-compose.hsm.yml']).toContain('redis');
    const removing = plan(MANIFEST('{}'), f, []);
    expect(removing.changes.find((c) => c.path === 'docker-compose.hsm.yml')?.after).toBeNull();
    expect(plannedCompose(removing, f)).toEqual({ text: null, changed: true });
  });
  test('a plan that keeps it leaves the bytes read; one that writes it, the new bytes', () => {
    const written = plan(MANIFEST('{ redis: {} }'), files(), [redis]);
    const f = apply(files(), written);
    expect(plannedCompose(written, files())).toEqual({ text: f['docker-compose.hsm.yml'], changed: true });
    expect(plannedCompose(plan(MANIFEST('{ redis: {} }'), f, [redis]), f)).toEqual({ text: f['docker-compose.hsm.yml'], changed: false });
  });
  test("a workspace member's plan writes it in the root's Compose directory", () => {
    const f = files({ composeDir: '..', userCompose: { file: 'compose.yaml', text: `name: app\n${USER}` } });
    const p = plan(MANIFEST('{ redis: {} }'), f, [redis]);
    expect(plannedCompose(p, f).text).toBe(p.changes.find((c) => c.path === '../docker-compose.hsm.yml')!.after);
    expect(plannedCompose(p, f).text).toContain('redis');
  });
});

describe('the clash check sees the project as Compose does (issue 9 items 4, 5, 8)', () => {
  const MANIFEST = 'version: 1\nname: demo\ncomponents: { redis: {} }\n';
  const user = (ports: string) => ({ file: 'compose.yml', text: `services:\n  cache:\n    image: valkey:8\n    ports:\n      - "${ports}"\n` });
  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as HsmError;
    }
    throw new Error('no error');
  };
  test('a port behind ${VAR:-default} clashes', () => {
    const e = codeOf(() => plan(MANIFEST, files({ userCompose: user('${CACHE_PORT:-6379}:6379') }), [redis]));
    expect(e.code).toBe(ErrorCodes.PORT_CLASH);
    expect(e.location).toBe('compose.yml:5:9');
    expect(e.message).toMatch(/docker-compose\.hsm\.yml:\d+:\d+/);
  });
  test('a port from .env clashes; the environment wins over .env', () => {
    const f = files({ userCompose: user('${CACHE_PORT}:6379'), '.env': 'CACHE_PORT=6379\n' });
    expect(codeOf(() => plan(MANIFEST, f, [redis])).code).toBe(ErrorCodes.PORT_CLASH);
    expect(() => plan(MANIFEST, { ...f, environment: { CACHE_PORT: '16379' } }, [redis])).not.toThrow();
  });
  test('a port in compose.override.yml clashes, and the override joins the compose check', () => {
    const override = { file: 'compose.override.yml', text: 'services:\n  cache:\n    ports: ["6379:6379"]\n' };
    const f = files({ userCompose: user('16379:6379'), composeExtra: { override, included: [] } });
    expect(codeOf(() => plan(MANIFEST, f, [redis])).location).toBe('compose.override.yml:3:13');
    const ok = files({ userCompose: user('16379:6379'), composeExtra: { override: { ...override, text: 'services: {}\n' }, included: [] } });
    expect(plan(MANIFEST, ok, [redis]).composeFiles).toEqual(['compose.yml', 'compose.override.yml']);
    const env = plan(MANIFEST.replace('name: demo', 'name: demo\ncompose: { link: env }'), ok, [redis]);
    expect(env.composeFiles).toEqual(['compose.yml', 'compose.override.yml', 'docker-compose.hsm.yml']);
    expect(apply(ok, env)['.env']).toContain('COMPOSE_FILE=compose.yml:compose.override.yml:docker-compose.hsm.yml');
  });
  test('a service in an included file clashes at plan time, naming both files; all clashes at once', () => {
    const main = { file: 'compose.yml', text: 'include:\n  - ./base.yml\nservices:\n  web:\n    image: web\n    ports: ["6379:80"]\n' };
    const base = { file: 'base.yml', text: 'services:\n  redis:\n    image: redis\n' };
    const e = codeOf(() => plan(MANIFEST, files({ userCompose: main, composeExtra: { override: null, included: [base] } }), [redis]));
    expect(e.code).toBe(ErrorCodes.SERVICE_CLASH);
    expect(e.details.join('\n')).toMatch(/base\.yml:2:3.*docker-compose\.hsm\.yml/);
    expect(e.details.join('\n')).toMatch(/compose\.yml:6:\d+/);
    expect(e.details.join('\n')).toMatch(/compose\.link: env/);
    expect(e.details).toHaveLength(2);
  });
  test('the generated file a user file includes is not a user file (found by the real-projects suite)', () => {
    const main = { file: 'compose.yml', text: 'include:\n  - docker-compose.hsm.yml\nservices:\n  web:\n    image: web\n' };
    const f = apply(files({ userCompose: main }), plan(MANIFEST, files({ userCompose: main }), [redis]));
    const again = { ...f, composeExtra: { override: null, included: [{ file: 'docker-compose.hsm.yml', text: f['docker-compose.hsm.yml']! }] } };
    expect(plan(MANIFEST, again, [redis]).changes).toEqual([]);
  });
  test("two user services on one port are the user's business, not a clash of hsm's", () => {
    const text = 'services:\n  a:\n    image: a\n    ports: ["${A:-2881}:2881"]\n  b:\n    image: b\n    ports: ["${B:-2881}:2881"]\n';
    expect(() => plan(MANIFEST, files({ userCompose: { file: 'compose.yml', text } }), [redis])).not.toThrow();
  });
});

describe('the Compose project name is the one Compose would use (issue 9 item 6)', () => {
  const m = 'version: 1\nname: paperless-ngx\ncomponents: { redis: {} }\n';
  const user = { file: 'docker-compose.yml', text: 'services:\n  web:\n    image: w\n' };
  const planAt = (projectDir: string, manifestText: string, f: ProjectFiles) => {
    const { manifest } = parseManifest(manifestText, 'hsm.yaml');
    return planSync({ manifest, manifestText, overlayText: null, files: { ...f, 'hsm.yaml': manifestText }, lock: null, resolution: { components: [redis], interfaces: {} }, checkouts: {}, projectDir });
  };
  const generated = (p: SyncPlan) => p.changes.find((c) => c.path.endsWith('docker-compose.hsm.yml'))!.after!;

  test('a user compose file without name: — Compose names the project after the directory (normalised as Compose does), in every link mode', () => {
    for (const link of ['include', 'env', 'none']) {
      const p = planAt('/src/My.Proj_X', `${m}compose: { link: ${link} }\n`, files({ userCompose: user }));
      expect({ link, name: p.projectName }).toEqual({ link, name: 'myproj_x' });
      // the generated file joins the user's project: no `name:` of its own (with `env` Compose would take it),
      // and nothing derived from the directory (issue 12: the same bytes in every checkout)
      expect(generated(p)).not.toMatch(/^name:/m);
    }
    expect(planAt('/src/-_Shop', m, files({ userCompose: user })).projectName).toBe('shop');
  });
  test('COMPOSE_PROJECT_NAME in .env, then the last name: of the user file and its override, then the directory', () => {
    const p = planAt('/src/app', m, files({ userCompose: user, '.env': 'COMPOSE_PROJECT_NAME=paperless\n' }));
    expect(p.projectName).toBe('paperless');
    expect(generated(p)).not.toMatch(/^name:/m);
    expect(planAt('/src/app', m, files({ userCompose: { ...user, text: `name: shop\n${user.text}` } })).projectName).toBe('shop');
    const override = { file: 'docker-compose.override.yml', text: 'name: over\n' };
    expect(planAt('/src/app', m, files({ userCompose: { ...user, text: `name: shop\n${user.text}` }, composeExtra: { override, included: [] } })).projectName).toBe('over');
    // an include:d file's name: is not the project's
    const included = { file: 'base.yml', text: 'name: base\nservices: {}\n' };
    expect(planAt('/src/app', m, files({ userCompose: user, composeExtra: { override: null, included: [included] } })).projectName).toBe('app');
  });
  test('the generated file alone carries its name: compose.project_name, else hsm.yaml name — never .env or the directory', () => {
    const p = planAt('/src/app', m, files({ '.env': 'COMPOSE_PROJECT_NAME=paperless\n' }));
    expect(p.projectName).toBe('paperless');
    expect(generated(p)).toMatch(/^name: paperless-ngx$/m);
    const q = planAt('/src/app', `${m}compose: { project_name: stack }\n`, files());
    expect(q.projectName).toBe('stack');
    expect(generated(q)).toMatch(/^name: stack$/m);
  });
  test('compose.project_name beside a user compose file that Compose names otherwise is refused (Compose would never see it)', () => {
    const err = (() => {
      try {
        planAt('/src/app', `${m}compose: { project_name: stack }\n`, files({ userCompose: user }));
      } catch (e) {
        return e as HsmError;
      }
    })();
    expect(err?.code).toBe(ErrorCodes.MANIFEST_INVALID);
    expect(planAt('/src/app', `${m}compose: { project_name: shop }\n`, files({ userCompose: { ...user, text: `name: shop\n${user.text}` } })).projectName).toBe('shop');
  });
  test('a directory name with nothing Compose accepts is a coded error naming the fix', () => {
    expect(() => planAt('/src/___', m, files({ userCompose: user }))).toThrow(expect.objectContaining({ code: ErrorCodes.MANIFEST_INVALID }));
  });
});

describe('a member chosen at a virtual workspace root (issue 9 item 1)', () => {
  const ROOT = '[tool.uv.workspace]\nmembers = ["backend", "libs/*"]\n';
  const BACKEND = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = []\n';
  const members = [
    { path: 'backend', name: 'app', text: BACKEND },
    { path: 'libs/util', name: 'util', text: '[project]\nname = "util"\nversion = "0.1.0"\n' },
  ];
  const lib = (mode: 'prod' | 'dev', checkout = 'packages/lib') => component({ name: 'lib', python: { package: 'lib' } }, { mode, checkout });
  const manifest = (pkg?: string) => `version: 1\nname: demo\ncomponents: { lib: {} }\n${pkg ? `python: { package: ${pkg} }\n` : ''}`;
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as HsmError;
    }
    throw new Error('no error');
  };

  test('python.package puts the dependency in the member', () => {
    const p = plan(manifest('app'), files({ 'pyproject.toml': ROOT, workspaceMembers: members }), [lib('prod')]);
    expect(p.changes.map((c) => c.path)).toEqual(['hsm.lock', 'backend/pyproject.toml']);
    expect(p.changes.find((c) => c.path === 'backend/pyproject.toml')!.after).toContain('"lib==1.0.0"');
  });
  test("a dev checkout's path is written relative to the member, as uv reads it", () => {
    const p = plan(manifest('app'), files({ 'pyproject.toml': ROOT, workspaceMembers: members }), [lib('dev')]);
    expect(p.changes.find((c) => c.path === 'backend/pyproject.toml')!.after).toContain('lib = { path = "../packages/lib", editable = true }');
    const abs = plan(manifest('app'), files({ 'pyproject.toml': ROOT, workspaceMembers: members }), [lib('dev', '/src/lib')]);
    expect(abs.changes.find((c) => c.path === 'backend/pyproject.toml')!.after).toContain('path = "/src/lib"');
  });
  test('without python.package: a coded error listing the members and the command; an unknown name: did you mean', () => {
    const missing = thrown(() => plan(manifest(), files({ 'pyproject.toml': ROOT, workspaceMembers: members }), [lib('prod')]));
    expect(missing.code).toBe(ErrorCodes.WORKSPACE_MEMBER);
    expect(missing.hint).toContain('hsm add --package app');
    expect(missing.hint).toContain('app (backend), util (libs/util)');
    const typo = thrown(() => plan(manifest('utl'), files({ 'pyproject.toml': ROOT, workspaceMembers: members }), [lib('prod')]));
    expect(typo.code).toBe(ErrorCodes.WORKSPACE_MEMBER);
    expect(typo.message).toContain('did you mean `util`?');
    const notRoot = thrown(() => plan(manifest('app'), files({ 'pyproject.toml': '[project]\nname = "solo"\nversion = "1"\n' }), [lib('prod')]));
    expect(notRoot.code).toBe(ErrorCodes.WORKSPACE_MEMBER);
  });
  test('python.package naming the root project itself (a workspace with a [project]) edits the root', () => {
    const p = plan(manifest('top'), files({ 'pyproject.toml': `[project]\nname = "top"\nversion = "1"\n${ROOT}`, workspaceMembers: members }), [lib('prod')]);
    expect(p.changes.map((c) => c.path)).toEqual(['hsm.lock', 'pyproject.toml']);
  });

  // switching python.package moves hsm's entries (issue 9 item 1): out of the old file, byte for byte, into the new
  const indexed = component({ name: 'lib', python: { package: 'lib', index: { name: 'private', url: 'https://pypi.example/simple' } } });
  /** What the transaction writes, members included. */
  const applyWs = (f: ProjectFiles, p: SyncPlan): ProjectFiles => {
    const out = apply(f, p);
    out.workspaceMembers = f.workspaceMembers?.map((m) => {
      const c = p.changes.find((ch) => ch.path === `${m.path}/pyproject.toml`);
      return c ? { ...m, text: c.after! } : m;
    });
    return out;
  };
  test('switching python.package takes the entries out of the old member (its bytes back) and into the new one; hsm.lock records the file', () => {
    const start = files({ 'pyproject.toml': ROOT, workspaceMembers: members });
    const first = plan(manifest('app'), start, [indexed]);
    const inApp = applyWs(start, first);
    expect(inApp.workspaceMembers![0].text).toContain('[[tool.uv.index]]');
    expect(JSON.parse(inApp['hsm.lock']!).pyproject.file).toBe('backend/pyproject.toml');

    const switched = plan(manifest('util'), inApp, [indexed]);
    expect(switched.changes.map((c) => c.path)).toEqual(['hsm.lock', 'backend/pyproject.toml', 'libs/util/pyproject.toml']);
    const inUtil = applyWs(inApp, switched);
    expect(inUtil.workspaceMembers![0].text).toBe(BACKEND);
    expect(inUtil.workspaceMembers![1].text).toContain('"lib==1.0.0"');
    expect(inUtil.workspaceMembers![1].text).toContain('lib = { index = "private" }');
    expect(JSON.parse(inUtil['hsm.lock']!).pyproject).toEqual({ file: 'libs/util/pyproject.toml', dependencies: ['lib'], indexes: ['private'], created: ['dependencies-expanded', 'project.dependencies'] });
    // settled: nothing more to plan
    expect(plan(manifest('util'), inUtil, [indexed]).changes).toEqual([]);
    // and removing everything gives the new member its bytes back too
    const removed = applyWs(inUtil, plan('version: 1\nname: demo\ncomponents: {}\npython: { package: util }\n', inUtil, []));
    expect(removed.workspaceMembers!.map((m) => m.text)).toEqual(members.map((m) => m.text));
    expect(JSON.parse(removed['hsm.lock']!).pyproject).toBeUndefined();
  });
  test('an hsm.lock from before the file was recorded: entries already in the member stay there (no clash); the lock learns the file', () => {
    const start = files({ 'pyproject.toml': ROOT, workspaceMembers: members });
    const inApp = applyWs(start, plan(manifest('app'), start, [lib('prod')]));
    const legacy = { ...inApp, 'hsm.lock': inApp['hsm.lock']!.replace(/\s*"file": "backend\/pyproject\.toml",/, '') };
    expect(legacy['hsm.lock']).not.toContain('"file"');
    const p = plan(manifest('app'), legacy, [lib('prod')]);
    expect(p.changes.map((c) => c.path)).toEqual(['hsm.lock']);
    expect(JSON.parse(p.changes[0].after!).pyproject.file).toBe('backend/pyproject.toml');
  });
  test("from the root's own [project] to a member, and the entries of a member no longer in the workspace", () => {
    const TOP = `[project]\nname = "top"\nversion = "1"\n${ROOT}`;
    const start = files({ 'pyproject.toml': TOP, workspaceMembers: members });
    const inTop = apply(start, plan(manifest(), start, [lib('prod')]));
    expect(inTop['pyproject.toml']).toContain('"lib==1.0.0"');
    const toApp = plan(manifest('app'), inTop, [lib('prod')]);
    expect(toApp.changes.find((c) => c.path === 'pyproject.toml')!.after).toBe(TOP);
    expect(toApp.changes.find((c) => c.path === 'backend/pyproject.toml')!.after).toContain('"lib==1.0.0"');

    // backend/ left the workspace's members: hsm.lock still names its file, which the reader read
    const inApp = applyWs(start, plan(manifest('app'), start, [lib('prod')]));
    const dropped = { ...inApp, workspaceMembers: [members[1]], ownedPyproject: { file: 'backend/pyproject.toml', text: inApp.workspaceMembers![0].text } };
    const toUtil = plan(manifest('util'), dropped, [lib('prod')]);
    expect(toUtil.changes.find((c) => c.path === 'backend/pyproject.toml')!.after).toBe(BACKEND);
  });
  test('a member whose pyproject.toml does not parse is named at its line, not called "no member"', () => {
    const broken = [members[0], { path: 'libs/util', name: null, text: '[project]\nname = "util"\nversion = \n' }];
    const e = thrown(() => plan(manifest('util'), files({ 'pyproject.toml': ROOT, workspaceMembers: broken }), [lib('prod')]));
    expect(e.code).toBe(ErrorCodes.PYPROJECT_INVALID);
    expect(e.location).toBe('libs/util/pyproject.toml:3:11');
    expect(e.message).toMatch(/^libs\/util\/pyproject\.toml is not valid TOML/);
  });
  test("a clash in the member's pyproject.toml names that file", () => {
    const taken = [{ ...members[0], text: BACKEND.replace('dependencies = []', 'dependencies = ["lib>=1"]') }, members[1]];
    const e = thrown(() => plan(manifest('app'), files({ 'pyproject.toml': ROOT, workspaceMembers: taken }), [lib('prod')]));
    expect(e.code).toBe(ErrorCodes.PYPROJECT_CLASH);
    expect(e.message).toBe('backend/pyproject.toml already lists lib in [project].dependencies, which component lib wants to manage');
    expect(e.hint).toContain('in backend/pyproject.toml');
  });
});

describe("a workspace member joining the root's Compose project (issue 9 item 2)", () => {
  const ROOT_COMPOSE = { file: 'compose.yml', text: 'services:\n  web:\n    image: web:1\n' };
  const svc = (mode: 'prod' | 'dev') => component({ name: 'svc', services: { svc: { image: 'svc:1', dev: { build: { context: '.' } } } } }, { mode, checkout: 'packages/svc' });
  const MANIFEST = 'version: 1\nname: app\ncomponents: { svc: {} }\n';
  const member = (over: Partial<ProjectFiles> = {}) => files({ composeDir: '..', userCompose: ROOT_COMPOSE, ...over });
  const planIn = (f: ProjectFiles, c: ResolvedComponent[]) => {
    const { manifest } = parseManifest(MANIFEST, 'hsm.yaml');
    return planSync({
      manifest,
      manifestText: MANIFEST,
      overlayText: null,
      files: { ...f, 'hsm.yaml': MANIFEST },
      lock: null,
      resolution: { components: c, interfaces: {} },
      checkouts: { svc: true },
      projectDir: '/ws/backend',
    });
  };

  test("the generated file goes next to the root compose file, which includes it; Compose's root directory names the project", () => {
    const p = planIn(member(), [svc('prod')]);
    expect(p.changes.map((c) => c.path)).toEqual(['hsm.lock', '../docker-compose.hsm.yml', '../compose.yml']);
    expect(p.changes.find((c) => c.path === '../compose.yml')!.after).toContain('- docker-compose.hsm.yml');
    expect(p.composeDir).toBe('..');
    expect(p.composeFiles).toEqual(['compose.yml']);
    expect(p.projectName).toBe('ws');
    expect(planIn(member({ '.env': 'COMPOSE_PROJECT_NAME=stack\n' }), [svc('prod')]).projectName).toBe('stack');
  });
  test('compose.project_name at odds with the root project names its files as the member opens them: ../compose.yml, ../.env', () => {
    const text = MANIFEST.replace('components:', 'compose: { project_name: other }\ncomponents:');
    const { manifest } = parseManifest(text, 'hsm.yaml');
    const planned = (f: ProjectFiles) => () =>
      planSync({ manifest, manifestText: text, overlayText: null, files: { ...f, 'hsm.yaml': text }, lock: null, resolution: { components: [svc('prod')], interfaces: {} }, checkouts: {}, projectDir: '/ws/backend' });
    const hint = 'remove compose.project_name from hsm.yaml, or name the project where Compose reads it: `name: other` in ../compose.yml or COMPOSE_PROJECT_NAME=other in ../.env';
    let e: HsmError | undefined;
    try {
      planned(member({ userCompose: { ...ROOT_COMPOSE, text: `name: stack\n${ROOT_COMPOSE.text}` } }))();
    } catch (err) {
      e = err as HsmError;
    }
    expect(e?.message).toContain('(`stack`, from the name: of ../compose.yml)');
    expect(e?.hint).toBe(hint);
    expect(planned(member())).toThrow(expect.objectContaining({ hint }));
  });
  test('a dev build context (relative to hsm.yaml) is written relative to the root, where Compose resolves it', () => {
    const p = planIn(member(), [svc('dev')]);
    expect(p.changes.find((c) => c.path === '../docker-compose.hsm.yml')!.after).toMatch(/context: \.\/backend\/packages\/svc$/m);
  });
  test('with compose.link: env the COMPOSE_FILE line goes into the root .env', () => {
    const text = MANIFEST.replace('components:', 'compose: { link: env }\ncomponents:');
    const { manifest } = parseManifest(text, 'hsm.yaml');
    const p = planSync({
      manifest,
      manifestText: text,
      overlayText: null,
      files: { ...member(), 'hsm.yaml': text },
      lock: null,
      resolution: { components: [svc('prod')], interfaces: {} },
      checkouts: {},
      projectDir: '/ws/backend',
    });
    expect(p.changes.find((c) => c.path === '../.env')!.after).toContain('COMPOSE_FILE=compose.yml:docker-compose.hsm.yml');
  });
});

test("a member's docker-compose.hsm.yml from before it joined the root's project is taken back (hsm's own only)", () => {
  const MANIFEST = 'version: 1\nname: app\ncomponents: {}\n';
  const { manifest } = parseManifest(MANIFEST, 'hsm.yaml');
  const run = (stale: string) =>
    planSync({
      manifest,
      manifestText: MANIFEST,
      overlayText: null,
      files: { ...files({ composeDir: '..', userCompose: { file: 'compose.yml', text: 'services: {}\n' }, staleGenerated: stale }), 'hsm.yaml': MANIFEST },
      lock: null,
      resolution: { components: [], interfaces: {} },
      checkouts: {},
      projectDir: '/ws/backend',
    });
  const old = '# Generated by hsm from hsm.yaml. Do not edit: change hsm.yaml and run `hsm sync`.\nservices: {}\n';
  expect(run(old).changes).toEqual([{ path: 'docker-compose.hsm.yml', before: old, after: null }]);
  expect(run('services: {}\n').changes).toEqual([]);
});

describe('the `$schema` line of an older hsm', () => {
  const OLD = '# yaml-language-server: $schema=/home/someone/hsm/apps/cli/dist/schemas/hsm.schema.json\nversion: 1\nname: demo\ncomponents: {}\n';
  const input = (portableSchemaLine: boolean) => {
    const { manifest } = parseManifest(OLD, 'hsm.yaml');
    return { manifest, manifestText: OLD, overlayText: null, files: files({ 'hsm.yaml': OLD }), lock: null, resolution: { components: [], interfaces: {} }, checkouts: {}, projectDir: '/project', portableSchemaLine };
  };
  test('a writing plan turns it relative in the same change set; a read-only plan reports no drift for it', () => {
    expect(planSync(input(true)).changes.find((c) => c.path === 'hsm.yaml')).toEqual({ path: 'hsm.yaml', before: OLD, after: OLD.replace(/\$schema=\S+/, '$schema=.hsm/hsm.schema.json') });
    expect(planSync(input(false)).changes.map((c) => c.path)).not.toContain('hsm.yaml');
  });
});
