import { describe, expect, test } from '@jest/globals';
import { findUvWorkspace, globToRegExp, workspaceMembers } from './uv-workspace.js';

const root = (members: string, exclude = '') => `[tool.uv.workspace]\nmembers = ${members}\n${exclude ? `exclude = ${exclude}\n` : ''}`;

describe("uv workspaces by uv's rules (issue 9 item 2)", () => {
  test('the nearest [tool.uv.workspace] whose members include the project, minus exclude', () => {
    expect(findUvWorkspace('/r/backend', [{ dir: '/r', pyproject: root('["backend"]') }])).toEqual({ root: '/r', member: 'backend' });
    expect(
      findUvWorkspace('/r/packages/a', [
        { dir: '/r/packages', pyproject: null },
        { dir: '/r', pyproject: root('["packages/*"]') },
      ]),
    ).toEqual({ root: '/r', member: 'packages/a' });
    expect(
      findUvWorkspace('/r/packages/old', [
        { dir: '/r/packages', pyproject: null },
        { dir: '/r', pyproject: root('["packages/*"]', '["packages/old"]') },
      ]),
    ).toBeNull();
    expect(
      findUvWorkspace('/r/tools/x', [
        { dir: '/r/tools', pyproject: null },
        { dir: '/r', pyproject: root('["packages/*"]') },
      ]),
    ).toBeNull();
    // uv stops at the nearest workspace
    expect(
      findUvWorkspace('/r/a/b', [
        { dir: '/r/a', pyproject: root('["c"]') },
        { dir: '/r', pyproject: root('["a/b"]') },
      ]),
    ).toBeNull();
    expect(findUvWorkspace('/r/a', [{ dir: '/r', pyproject: '[project]\nname = "x"\n' }])).toBeNull();
  });
  test('globs', () => {
    expect(globToRegExp('packages/*').test('packages/a')).toBe(true);
    expect(globToRegExp('packages/*').test('packages/a/b')).toBe(false);
    expect(globToRegExp('libs/**').test('libs/a/b')).toBe(true);
    expect(globToRegExp('./backend/').test('backend')).toBe(true);
    expect(globToRegExp('py-[ab]').test('py-b')).toBe(true);
  });
  test('members of a root', () => {
    expect(workspaceMembers(root('["backend", "libs/*"]'))).toEqual(['backend', 'libs/*']);
    expect(workspaceMembers('[project]\nname = "x"\n')).toBeNull();
  });
});
