import { describe, expect, test } from '@jest/globals';
import { parse } from 'smol-toml';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pep503, readPyprojectDependencies, readPyprojectSources, renderPyproject, type PyprojectOwnership, type PythonDependency } from './render-pyproject.js';
import { ErrorCodes } from '../errors.js';
import { thrown } from '../../../../test/support/hsm-errors.js';

const none: PyprojectOwnership = { dependencies: [], indexes: [] };
const redis: PythonDependency = { component: 'redis', package: 'redis', requirement: 'redis>=5,<6' };
const qdrant: PythonDependency = { component: 'qdrant-adapter', package: 'qdrant-client', requirement: 'qdrant-client>=1.12,<2' };
const qdrantDev: PythonDependency = { ...qdrant, requirement: 'qdrant-client==1.4.0', source: { path: 'packages/qdrant-adapter', editable: true } };
const teamPkg: PythonDependency = {
  component: 'team-lib',
  package: 'Team_Lib',
  requirement: 'Team_Lib==2.0.0',
  index: { name: 'team-pypi', url: 'https://pypi.example.com/simple' },
};

function render(text: string | null, desired: PythonDependency[], owned: PyprojectOwnership = none) {
  return renderPyproject({ text, projectName: 'demo', desired, owned });
}

/** Adds `desired`, checks the result parses with them, removes them all again: the original bytes must come back. */
function roundTrip(text: string, desired: PythonDependency[]): string {
  const added = render(text, desired);
  const data = parse(added.text) as { project: { dependencies: string[] } };
  for (const d of desired) expect(data.project.dependencies).toContain(d.requirement);
  expect(render(added.text, desired, added.owned)).toEqual(added); // idempotent
  const removed = render(added.text, [], added.owned);
  expect(removed.text).toBe(text);
  expect(removed.owned).toEqual(none);
  return added.text;
}

describe('pep503', () => {
  test('normalises case and runs of separators', () => {
    expect(pep503('Team_Lib')).toBe('team-lib');
    expect(pep503('zope.interface')).toBe('zope-interface');
    expect(pep503('A-_.B')).toBe('a-b');
  });
});

describe('readPyprojectDependencies', () => {
  test('reads names and requirements', () => {
    const text = `[project]\nname = "x"\ndependencies = ["Redis>=5", 'qdrant_client[fastembed]>=1.12 ; python_version >= "3.10"']\n`;
    expect(readPyprojectDependencies(text)).toEqual([
      { name: 'redis', requirement: 'Redis>=5' },
      { name: 'qdrant-client', requirement: 'qdrant_client[fastembed]>=1.12 ; python_version >= "3.10"' },
    ]);
  });
  test('no dependencies', () => {
    expect(readPyprojectDependencies('[tool.black]\nline-length = 100\n')).toEqual([]);
  });
});

describe('readPyprojectSources', () => {
  test('normalised names → entries', () => {
    const text = '[project]\nname = "x"\n\n[tool.uv.sources]\nQdrant_Client = { path = "packages/q", editable = true }\nteam = { index = "t" }\n';
    expect(readPyprojectSources(text)).toEqual({ 'qdrant-client': { path: 'packages/q', editable: true }, team: { index: 't' } });
    expect(readPyprojectSources('[project]\nname = "x"\n')).toEqual({});
  });
});

describe('renderPyproject', () => {
  test('missing file → minimal PEP 621 file', () => {
    const r = render(null, [qdrant, redis]);
    expect(r.text).toBe('[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = [\n    "qdrant-client>=1.12,<2",\n    "redis>=5,<6",\n]\n');
    expect(r.owned).toEqual({ dependencies: ['qdrant-client', 'redis'], indexes: [], created: ['dependencies-expanded'] });
    expect(render(null, [])).toEqual({ text: '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = []\n', owned: none });
    expect(render(r.text, [], r.owned).text).toBe(render(null, []).text);
  });

  test('same input → same bytes', () => {
    const text = '[project]\nname = "x"\ndependencies = []\n';
    expect(render(text, [qdrantDev, teamPkg])).toEqual(render(text, [qdrantDev, teamPkg]));
  });

  test('uv init style: empty array, appends, prod ↔ dev', () => {
    const text = '[project]\nname = "x"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n';
    const prod = render(text, [qdrant]);
    expect(prod.text).toBe('[project]\nname = "x"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [\n    "qdrant-client>=1.12,<2",\n]\n');
    const dev = render(prod.text, [qdrantDev], prod.owned);
    expect(dev.text).toBe(
      '[project]\nname = "x"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [\n    "qdrant-client==1.4.0",\n]\n\n' +
        '[tool.uv.sources]\nqdrant-client = { path = "packages/qdrant-adapter", editable = true }\n',
    );
    expect(dev.owned.created).toEqual(['dependencies-expanded', 'tool.uv.sources']);
    expect(render(dev.text, [qdrant], dev.owned)).toEqual(prod);
    expect(render(dev.text, [], dev.owned).text).toBe(text);
    roundTrip(text, [qdrantDev, redis, teamPkg]);
  });

  test('multi-line array with comments, single quotes and no trailing comma', () => {
    const text = ['[project]', "name = 'x'", 'dependencies = [', "  'httpx>=0.27',  # http client", '  # pinned for a bug:', "  'pydantic==2.9.2'", ']', ''].join('\n');
    const added = roundTrip(text, [redis]);
    expect(added).toBe(['[project]', "name = 'x'", 'dependencies = [', "  'httpx>=0.27',  # http client", '  # pinned for a bug:', "  'pydantic==2.9.2',", "  'redis>=5,<6'", ']', ''].join('\n'));
    roundTrip(text, [qdrant, redis]);
  });

  test('multi-line array with trailing comma and a comment after the last element', () => {
    const text = '[project]\nname = "x"\ndependencies = [\n\t"httpx",  # keep\n\t# "rich",\n]\n';
    expect(roundTrip(text, [redis])).toBe('[project]\nname = "x"\ndependencies = [\n\t"httpx",  # keep\n\t"redis>=5,<6",\n\t# "rich",\n]\n');
  });

  test('single-line arrays keep their style', () => {
    expect(roundTrip('[project]\nname = "x"\ndependencies = ["httpx", "rich"]\n', [redis])).toBe('[project]\nname = "x"\ndependencies = ["httpx", "rich", "redis>=5,<6"]\n');
    expect(roundTrip('[project]\nname = "x"\ndependencies = ["httpx","rich"]\n', [redis])).toContain('["httpx","rich","redis>=5,<6"]');
    expect(roundTrip('[project]\nname = "x"\ndependencies = [ "httpx", ]\n', [redis])).toContain('[ "httpx", "redis>=5,<6", ]');
    roundTrip('[project]\nname = "x"\ndependencies = [ "httpx" ]\n', [qdrant, redis]);
  });

  test('closing bracket on the last element line', () => {
    const text = '[project]\nname = "x"\ndependencies = [\n    "httpx",\n    "rich"]\n';
    expect(roundTrip(text, [redis])).toBe('[project]\nname = "x"\ndependencies = [\n    "httpx",\n    "rich",\n    "redis>=5,<6"]\n');
  });

  test('CRLF file without a final newline', () => {
    const text = '# my project\r\n[project]\r\nname = "x"\r\ndependencies = [\r\n    "httpx",\r\n]\r\n\r\n[tool.black]\r\nline-length = 100';
    const added = roundTrip(text, [qdrantDev, teamPkg]);
    expect(added).not.toMatch(/[^\r]\n/);
    expect(added).toContain('\r\n\r\n[tool.uv.sources]\r\nqdrant-client = { path = "packages/qdrant-adapter", editable = true }\r\n');
  });

  test('no final newline, sources table last', () => {
    const text = '[project]\nname = "x"\ndependencies = ["a"]\n\n[tool.uv.sources]\na = { path = "../a" }';
    const added = roundTrip(text, [qdrantDev]);
    expect(added).toBe('[project]\nname = "x"\ndependencies = ["a", "qdrant-client==1.4.0"]\n\n[tool.uv.sources]\na = { path = "../a" }\nqdrant-client = { path = "packages/qdrant-adapter", editable = true }');
  });

  test('no dependencies key: inserted after the last [project] key and removed again', () => {
    const text = '[project]\nname = "x"\nversion = "1"\n# about\n\n[project.urls]\nhome = "https://x"\n';
    const added = render(text, [redis]);
    expect(added.text).toBe('[project]\nname = "x"\nversion = "1"\ndependencies = [\n    "redis>=5,<6",\n]\n# about\n\n[project.urls]\nhome = "https://x"\n');
    roundTrip(text, [redis, qdrantDev]);
    roundTrip('[project]\nname = "x"', [redis]);
  });

  test('dotted keys, inline tables, other tools and [tool.uv] with other keys stay as they are', () => {
    const text = [
      '[project]',
      'name = "x"',
      'authors = [{ name = "A", email = "a@example.com" }]',
      'urls.homepage = "https://example.com"',
      'dependencies = [',
      '    "httpx[http2]>=0.27 ; python_version >= \'3.10\'",',
      ']',
      '',
      '[tool.uv]',
      'dev-dependencies = ["pytest"]',
      'package = false',
      '',
      '[tool.ruff.lint]',
      "select = ['E', 'F']  # the basics",
      '',
    ].join('\n');
    const added = roundTrip(text, [qdrantDev, teamPkg]);
    expect(added.startsWith(text)).toBe(false);
    expect(added).toContain('[tool.uv]\ndev-dependencies = ["pytest"]\npackage = false\n');
    expect(added).toContain('\n[[tool.uv.index]]\nname = "team-pypi"\nurl = "https://pypi.example.com/simple"\nexplicit = true\n');
    expect(added).toContain('Team_Lib = { index = "team-pypi" }');
  });

  test('existing [tool.uv.sources] with user entries: hsm adds and removes only its own', () => {
    const text = '[project]\nname = "x"\ndependencies = ["mylib"]\n\n[tool.uv.sources]\n# local things\nmylib = { workspace = true }\n\n[tool.uv.workspace]\nmembers = ["libs/*"]\n';
    const added = roundTrip(text, [qdrantDev]);
    expect(added).toContain('mylib = { workspace = true }\nqdrant-client = { path = "packages/qdrant-adapter", editable = true }\n\n[tool.uv.workspace]');
  });

  test('rewrites an owned requirement in place, keeping its quotes', () => {
    const text = "[project]\nname = 'x'\ndependencies = ['httpx', 'redis>=4']\n";
    const r = render(text, [redis], { dependencies: ['redis'], indexes: [] });
    expect(r.text).toBe("[project]\nname = 'x'\ndependencies = ['httpx', 'redis>=5,<6']\n");
  });

  test('user edits between syncs are kept: their own lines after ours, and a deleted owned line comes back', () => {
    const text = '[project]\nname = "x"\ndependencies = [\n    "httpx",\n]\n';
    const added = render(text, [redis, qdrantDev]);
    const edited = added.text.replace('    "qdrant-client==1.4.0",\n', '    "qdrant-client==1.4.0",\n    "rich",  # mine\n').replace('    "redis>=5,<6",\n', '');
    const again = render(edited, [redis, qdrantDev], added.owned);
    expect(again.text).toContain('"rich",  # mine');
    expect(readPyprojectDependencies(again.text).map((d) => d.name)).toEqual(['httpx', 'qdrant-client', 'rich', 'redis']);
    const removed = render(again.text, [], again.owned);
    expect(removed.text).toBe('[project]\nname = "x"\ndependencies = [\n    "httpx",\n    "rich",  # mine\n]\n');
  });

  test('a user dependency clashes with a component', () => {
    const text = '[project]\nname = "x"\ndependencies = ["Qdrant_Client==1.0"]\n';
    expect(thrown(() => render(text, [qdrant])).code).toBe(ErrorCodes.PYPROJECT_CLASH);
    // …and is never removed by hsm
    expect(render(text, [], none).text).toBe(text);
  });

  test('every clash is reported at once; `hsm remove` is advised only for a component in the hsm.yaml on disk (issue 9 item 8)', () => {
    const text = '[project]\nname = "x"\ndependencies = ["Qdrant_Client==1.0", "redis"]\n';
    const e = thrown(() => render(text, [qdrant, redis]));
    expect(e.code).toBe(ErrorCodes.PYPROJECT_CLASH);
    expect(e.details).toHaveLength(2);
    expect(e.details.join('\n')).not.toContain('hsm remove');
    const one = thrown(() => render('[project]\nname = "x"\ndependencies = ["redis"]\n', [{ ...redis, removable: true }]));
    expect(one.hint).toContain('`hsm remove redis`');
    expect(thrown(() => render('[project]\nname = "x"\ndependencies = ["redis"]\n', [redis])).hint).not.toContain('hsm remove');
  });

  test('a user source entry clashes with a component', () => {
    const text = '[project]\nname = "x"\ndependencies = []\n\n[tool.uv.sources]\nqdrant-client = { git = "https://example.com/q.git" }\n';
    expect(thrown(() => render(text, [qdrant])).code).toBe(ErrorCodes.PYPROJECT_CLASH);
  });

  test('a requirement that does not name its package is a definition error', () => {
    expect(thrown(() => render(null, [{ ...redis, requirement: 'valkey>=1' }])).code).toBe(ErrorCodes.DEFINITION_INVALID);
  });

  test('two components adding one package clash', () => {
    expect(thrown(() => render(null, [redis, { ...redis, component: 'valkey' }])).code).toBe(ErrorCodes.PYPROJECT_CLASH);
  });

  test('a user index with the same name but another URL clashes; the same URL is shared, not owned', () => {
    const user = '[project]\nname = "x"\ndependencies = []\n\n[[tool.uv.index]]\nname = "team-pypi"\nurl = "https://other.example.com/simple"\n';
    expect(thrown(() => render(user, [teamPkg])).code).toBe(ErrorCodes.PYPROJECT_CLASH);
    const same = user.replace('https://other.example.com/simple', 'https://pypi.example.com/simple');
    const r = render(same, [teamPkg]);
    expect(r.owned.indexes).toEqual([]);
    expect(r.text.match(/\[\[tool\.uv\.index\]\]/g)).toHaveLength(1);
    expect(render(r.text, [], r.owned).text).toBe(same);
  });

  test('invalid TOML → PYPROJECT_INVALID with line:col', () => {
    const e = thrown(() => render('[project]\nname = "x"\ndependencies = [\n  "a",,\n]\n', []));
    expect(e.code).toBe(ErrorCodes.PYPROJECT_INVALID);
    expect(e.location).toBe('pyproject.toml:4:7');
  });

  test('dependencies that hsm cannot edit in place are reported', () => {
    expect(thrown(() => render('project = { name = "x", dependencies = [] }\n', [redis])).code).toBe(ErrorCodes.PYPROJECT_INVALID);
    expect(thrown(() => render('[tool.black]\nx = 1\n', [redis])).code).toBe(ErrorCodes.PYPROJECT_INVALID);
  });

  test('every shape of tool.uv.sources that uv edits takes hsm entries in that shape (issue 9 item 9)', () => {
    const inline = '[project]\nname = "x"\n[tool.uv]\nsources = { a = { path = "a" } }\n';
    expect(roundTrip(inline, [qdrantDev])).toBe(
      '[project]\nname = "x"\ndependencies = [\n    "qdrant-client==1.4.0",\n]\n[tool.uv]\nsources = { a = { path = "a" }, qdrant-client = { path = "packages/qdrant-adapter", editable = true } }\n',
    );
    for (const empty of ['{}', '{ }', '{  }']) {
      const text = `[project]\nname = "x"\ndependencies = []\n[tool.uv]\nsources = ${empty}\n`;
      const added = roundTrip(text, [qdrantDev, teamPkg]);
      expect((parse(added) as any).tool.uv.sources).toEqual({ 'qdrant-client': { path: 'packages/qdrant-adapter', editable: true }, Team_Lib: { index: 'team-pypi' } });
    }
    const dotted = '[project]\nname = "x"\ndependencies = ["six"]\n[tool.uv]\nsources.six = { git = "https://g/six" }\npackage = false\n';
    expect(roundTrip(dotted, [qdrantDev])).toContain('sources.six = { git = "https://g/six" }\nsources.qdrant-client = { path = "packages/qdrant-adapter", editable = true }\npackage = false\n');
    const root = 'tool.uv.sources.six = { git = "https://g/six" }\n[project]\nname = "x"\ndependencies = []\n';
    expect(roundTrip(root, [qdrantDev])).toContain('tool.uv.sources.six = { git = "https://g/six" }\ntool.uv.sources.qdrant-client = { path');
    const tool = '[project]\nname = "x"\ndependencies = []\n[tool]\nuv.sources.six = { git = "https://g/six" }\n';
    expect(roundTrip(tool, [qdrantDev])).toContain('uv.sources.six = { git = "https://g/six" }\nuv.sources.qdrant-client = { path');
  });

  test("a [tool.uv.sources.six] sub-table gets a [tool.uv.sources] table beside it; one for hsm's own package is named as a sub-table (issue 9 item 8)", () => {
    const sub = '[project]\nname = "x"\ndependencies = ["six"]\n\n[tool.uv.sources.six]\ngit = "https://g/six"\n';
    expect((parse(roundTrip(sub, [qdrantDev])) as any).tool.uv.sources).toEqual({ six: { git: 'https://g/six' }, 'qdrant-client': { path: 'packages/qdrant-adapter', editable: true } });
    const owned = '[project]\nname = "x"\ndependencies = ["qdrant-client==1.4.0"]\n\n[tool.uv.sources.qdrant-client]\npath = "elsewhere"\n';
    const e = thrown(() => render(owned, [qdrantDev], { dependencies: ['qdrant-client'], indexes: [] }));
    expect(e.code).toBe(ErrorCodes.PYPROJECT_INVALID);
    expect(e.message).toContain('a [tool.uv.sources.qdrant-client] table');
    expect(e.message).not.toContain('inline');
  });

  test('top-level dotted project.* keys are a [project] table (issue 9 item 12)', () => {
    const text = 'project.name = "x"\nproject.version = "1"\n\n[tool.black]\nline-length = 88\n';
    const added = roundTrip(text, [redis]);
    expect(added).toBe('project.name = "x"\nproject.version = "1"\nproject.dependencies = [\n    "redis>=5,<6",\n]\n\n[tool.black]\nline-length = 88\n');
    roundTrip('project.name = "x"\nproject.dependencies = ["httpx"]\n', [redis, qdrantDev]);
  });

  test('dynamic = ["dependencies"] is refused with its own code before any edit (issue 9 item 11)', () => {
    const text = '[project]\nname = "x"\nversion = "0.1.0"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = { file = "requirements.txt" }\n';
    const e = thrown(() => render(text, [redis]));
    expect(e.code).toBe(ErrorCodes.PYPROJECT_DYNAMIC);
    expect(e.exitCode).toBe(2);
    expect(e.location).toBe('pyproject.toml:4:1');
    expect(e.hint).toMatch(/\[project\]\.dependencies/);
    // nothing to add: the file is left alone
    expect(render(text, []).text).toBe(text);
  });

  test('multi-line strings and odd keys do not confuse the scanner', () => {
    const text = [
      '[project]',
      'name = "x"',
      'description = """',
      'dependencies = ["not-this"]',
      '[tool.uv.sources]',
      '"""',
      "readme = '''x]'''",
      '"quoted.key" = "a#b"',
      'dependencies = [ # deps',
      '  "httpx", # "fake",',
      ']',
      'created = 1979-05-27 07:32:00Z',
      '',
    ].join('\n');
    const added = roundTrip(text, [qdrantDev]);
    expect(added).toContain('  "httpx", # "fake",\n  "qdrant-client==1.4.0",\n]');
  });

  test('a package name with dots becomes a quoted key', () => {
    const dep: PythonDependency = { component: 'zope', package: 'zope.interface', requirement: 'zope.interface>=6', source: { path: 'packages/zope', editable: true } };
    const text = '[project]\nname = "x"\ndependencies = []\n';
    expect(roundTrip(text, [dep])).toContain('\n"zope.interface" = { path = "packages/zope", editable = true }\n');
  });
});

describe('renderPyproject on fixture files', () => {
  const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.toml'));
  const prodA: PythonDependency = { component: 'a-comp', package: 'alpha.pkg', requirement: 'alpha.pkg>=1' };
  const devA: PythonDependency = { ...prodA, requirement: 'alpha.pkg==1.0.0', source: { path: '../alpha', editable: true } };
  const states: PythonDependency[][] = [[], [prodA], [devA], [devA, redis], [prodA, teamPkg], [devA, qdrantDev, teamPkg], [redis], []];

  test.each(files)('%s: each state keeps the user entries; back to none gives the original bytes', (file) => {
    const original = readFileSync(join(dir, file), 'utf8');
    let current = { text: original, owned: none };
    for (const desired of states) {
      const next = render(current.text, desired, current.owned);
      const data = parse(next.text) as { project: { dependencies?: string[] }; tool?: { uv?: { sources?: Record<string, unknown> } } };
      for (const d of desired) expect(data.project.dependencies).toContain(d.requirement);
      // Every user entry survives.
      for (const user of readPyprojectDependencies(original)) expect(data.project.dependencies).toContain(user.requirement);
      // Idempotent: rendering the result again changes nothing.
      expect(render(next.text, desired, next.owned)).toEqual(next);
      current = next;
    }
    expect(current.text).toBe(original);
    expect(current.owned).toEqual(none);
  });
});

describe('renderPyproject, random walks', () => {
  // A small seeded PRNG, so a failure reproduces.
  function prng(seed: number): () => number {
    return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  }
  const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const pool: PythonDependency[][] = [
    [redis],
    [qdrant, qdrantDev],
    [teamPkg, { ...teamPkg, source: { path: 'packages/team', editable: true } }],
    [
      { component: 'z', package: 'zope.interface', requirement: 'zope.interface>=6' },
      { component: 'z', package: 'zope.interface', requirement: 'zope.interface==6.1', source: { path: 'packages/zope', editable: true } },
    ],
  ];

  test.each(readdirSync(dir).filter((f) => f.endsWith('.toml')))('%s: 40 random states, each idempotent, then back to the original', (file) => {
    const original = readFileSync(join(dir, file), 'utf8');
    const random = prng(file.length * 7919);
    let current = { text: original, owned: none };
    for (let step = 0; step < 40; step++) {
      const desired = pool.flatMap((variants) => (random() < 0.5 ? [] : [variants[Math.floor(random() * variants.length)]]));
      desired.sort((a, b) => (pep503(a.package) < pep503(b.package) ? -1 : 1));
      const next = render(current.text, desired, current.owned);
      expect(render(next.text, desired, next.owned)).toEqual(next);
      current = next;
    }
    expect(render(current.text, [], current.owned).text).toBe(original);
  });
});
