/**
 * The real projects of `../shared/real-projects/` (files from public repositories nobody here wrote), laid out in a
 * temp directory the way their SOURCE.txt trial describes, with heavy dependencies cut so that uv resolves them
 * from locally built stub wheels: each requirement loses its version (name, extras and markers stay, so every
 * line, comment and trailing-comma quirk stays where it was), entries that need the network (a url/git/index
 * source) are dropped, and a non-explicit `[[tool.uv.index]]` points at the local wheels folder. Structure,
 * comments and `[tool.uv*]` tables are kept. Never copied into the repository.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { scanToml } from '../../libs/core/src/pyproject/toml-layout.js';
import { REPO } from '../support/hsm-cli.js';

/** `../shared/real-projects` beside the clone (CI), or HSM_REAL_PROJECTS (a git worktree elsewhere). */
export const SHARED = process.env.HSM_REAL_PROJECTS ?? resolve(REPO, '..', 'shared', 'real-projects');

export interface RealProject {
  name: string;
  /** source path (relative to SHARED) → path in the temp project. */
  files: Record<string, string>;
  /** Where hsm runs, relative to the temp project (default: its root). */
  cwd?: string;
  /** Where docker-compose.hsm.yml is written, relative to the temp project (default: where hsm runs). */
  generatedIn?: string;
  /** The user's files that must come back byte for byte. */
  userFiles: string[];
  /** Text edits the trial made (e.g. a requires-python no Python here satisfies). */
  patch?: (file: string, text: string) => string;
}

/** full-stack-fastapi-template requires Python 3.14; the fixtures run uv on 3.11, so the range is widened. */
export const fastapiPython = (file: string, text: string): string => (file.endsWith('pyproject.toml') ? text.replace('requires-python = ">=3.14,<4.0"', 'requires-python = ">=3.11,<4.0"') : text);

/** full-stack-fastapi-template as a uv workspace, as it is upstream: the root pyproject.toml, the member backend/. */
export const FASTAPI_WORKSPACE: Record<string, string> = {
  'full-stack-fastapi-template/pyproject.toml': 'pyproject.toml',
  'full-stack-fastapi-template/backend/pyproject.toml': 'backend/pyproject.toml',
  'full-stack-fastapi-template/compose.yml': 'compose.yml',
  'full-stack-fastapi-template/compose.override.yml': 'compose.override.yml',
  'full-stack-fastapi-template/.env': '.env',
};

export const PROJECTS: RealProject[] = [
  {
    name: 'uv-docker-example',
    files: { 'uv-docker-example/pyproject.toml': 'pyproject.toml', 'uv-docker-example/compose.yml': 'compose.yml' },
    userFiles: ['pyproject.toml', 'compose.yml'],
  },
  {
    name: 'graphiti',
    files: { 'graphiti/pyproject.toml': 'pyproject.toml', 'graphiti/docker-compose.yml': 'docker-compose.yml' },
    userFiles: ['pyproject.toml', 'docker-compose.yml'],
  },
  {
    name: 'paperless-ngx',
    files: {
      'paperless-ngx/pyproject.toml': 'pyproject.toml',
      'paperless-ngx/docker/compose/docker-compose.postgres.yml': 'docker-compose.yml',
      'paperless-ngx/docker/compose/docker-compose.env': 'docker-compose.env',
      'paperless-ngx/docker/compose/.env': '.env',
    },
    userFiles: ['pyproject.toml', 'docker-compose.yml', 'docker-compose.env', '.env'],
  },
  {
    name: 'ragflow',
    files: {
      'ragflow/pyproject.toml': 'pyproject.toml',
      'ragflow/docker/docker-compose.yml': 'docker-compose.yml',
      'ragflow/docker/docker-compose-base.yml': 'docker-compose-base.yml',
      'ragflow/docker/.env': '.env',
    },
    userFiles: ['pyproject.toml', 'docker-compose.yml', 'docker-compose-base.yml', '.env'],
    patch: (file, text) => (file === 'pyproject.toml' ? text.replace('requires-python = ">=3.13,<3.14"', 'requires-python = ">=3.11"') : text),
  },
  {
    name: 'full-stack-fastapi-template',
    files: {
      'full-stack-fastapi-template/backend/pyproject.toml': 'pyproject.toml',
      'full-stack-fastapi-template/compose.yml': 'compose.yml',
      'full-stack-fastapi-template/compose.override.yml': 'compose.override.yml',
      'full-stack-fastapi-template/.env': '.env',
    },
    userFiles: ['pyproject.toml', 'compose.yml', 'compose.override.yml', '.env'],
    patch: fastapiPython,
  },
  {
    // the same repository as a uv workspace, as it is upstream: hsm runs in the member backend/ (issue 9 item 2)
    name: 'full-stack-fastapi-template (workspace, in backend/)',
    files: FASTAPI_WORKSPACE,
    cwd: 'backend',
    // next to the root compose.yml that includes it: Compose at the root sees the stack (issue 9 item 2)
    generatedIn: '.',
    userFiles: ['pyproject.toml', 'backend/pyproject.toml', 'compose.yml', 'compose.override.yml', '.env'],
    patch: fastapiPython,
  },
];

const REQUIREMENT_ARRAYS = (path: string[]) =>
  (path.length === 2 && path[0] === 'project' && path[1] === 'dependencies') ||
  (path.length === 3 && path[0] === 'project' && path[1] === 'optional-dependencies') ||
  (path.length === 2 && path[0] === 'dependency-groups') ||
  (path.length === 3 && path[0] === 'tool' && path[1] === 'uv' && ['dev-dependencies', 'constraint-dependencies', 'override-dependencies'].includes(path[2]));

const PEP508 = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;@]*)(@[^;]*)?(;.*)?$/s;

/** The cut pyproject.toml and the distribution names it still requires. */
function cutPyproject(text: string, localIndex: string): { text: string; names: string[] } {
  const data = parseToml(text) as { tool?: { uv?: { sources?: Record<string, unknown> } } };
  const sourced = new Set(Object.keys(data.tool?.uv?.sources ?? {}).map(norm));
  const edits: { start: number; end: number; text: string }[] = [];
  const names = new Set<string>();
  const statements = scanToml(text);
  for (const s of statements) {
    if (s.kind !== 'keyval' || !s.array || !REQUIREMENT_ARRAYS(s.path)) continue;
    for (const [i, e] of s.array.elements.entries()) {
      const raw = text.slice(e.start, e.end);
      if (raw[0] !== '"' && raw[0] !== "'") continue; // `{ include-group = … }`
      const m = PEP508.exec(raw.slice(1, -1));
      if (!m) continue;
      const [, name, extras = '', , url, marker = ''] = m;
      if (url || sourced.has(norm(name))) {
        // needs the network: drop the element (and its comma)
        const next = s.array.elements[i + 1];
        edits.push({ start: e.start, end: next ? next.start : e.comma !== null ? e.comma + 1 : e.end, text: '' });
        continue;
      }
      names.add(norm(name));
      edits.push({ start: e.start, end: e.end, text: `${raw[0]}${name}${extras}${marker ? ` ${marker.trim()}` : ''}${raw[0]}` });
    }
  }
  // a non-explicit index is searched before the default one: point it at the local wheels
  const blocks = statements.flatMap((h, i) => (h.kind === 'array-table' && h.path.join('.') === 'tool.uv.index' ? [i] : []));
  for (const i of blocks) {
    const body = statements.filter((s) => s.section === i);
    if (body.some((s) => s.path.at(-1) === 'explicit' && text.slice(s.valueStart, s.valueEnd) === 'true')) continue;
    const url = body.find((s) => s.path.at(-1) === 'url');
    if (url) edits.push({ start: url.valueStart, end: url.valueEnd, text: JSON.stringify(localIndex) });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, names: [...names].sort() };
}

function norm(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Copies a project into `dir` (cut); returns the names its pyproject still requires. */
export async function layOut(project: RealProject, dir: string, wheels: string): Promise<string[]> {
  const names: string[] = [];
  for (const [from, to] of Object.entries(project.files)) {
    const target = join(dir, to);
    await mkdir(dirname(target), { recursive: true });
    let text = await readFile(join(SHARED, from), 'utf8');
    if (project.patch) text = project.patch(to, text);
    if (to.endsWith('pyproject.toml')) {
      const cut = cutPyproject(text, wheels);
      text = cut.text;
      names.push(...cut.names);
    }
    await writeFile(target, text);
  }
  return names;
}

export const available = existsSync(SHARED);
