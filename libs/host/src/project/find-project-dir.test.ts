import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { composeProjectName, parseManifest } from '@hsm/core';
import { findProjectDir, workingDirectory } from './find-project-dir.js';
import { scratchDir } from '../../../../test/support/files.js';

/** `Real_Checkout/` with hsm.yaml and a compose file without `name:`, and the symlink `my-app` → it. */
function linkedProject(): { real: string; link: string } {
  const base = realpathSync(scratchDir('wd'));
  const real = join(base, 'Real_Checkout');
  mkdirSync(join(real, 'sub'), { recursive: true });
  writeFileSync(join(real, 'hsm.yaml'), 'version: 1\nname: app\ncomponents: {}\n');
  writeFileSync(join(real, 'compose.yml'), 'services:\n  web:\n    image: web:1\n');
  const link = join(base, 'my-app');
  symlinkSync(real, link, 'dir');
  return { real, link };
}

const home = process.cwd();
afterEach(() => process.chdir(home));

describe("the working directory as the shell and Compose see it (Go's os.Getwd)", () => {
  test('$PWD through a symlink names the same directory as getcwd(): the symlink path; otherwise getcwd()', () => {
    const { real, link } = linkedProject();
    process.chdir(link);
    expect(process.cwd()).toBe(real);
    expect(workingDirectory({ PWD: link })).toBe(link);
    expect(workingDirectory({ PWD: join(link, 'sub') })).toBe(real); // another directory: not where the shell is
    expect(workingDirectory({ PWD: 'my-app' })).toBe(real); // not absolute
    expect(workingDirectory({})).toBe(real);
  });

  test('the Compose project name from the project directory hsm finds: the symlink name as typed, the real name without it', () => {
    const { real, link } = linkedProject();
    const { manifest } = parseManifest('version: 1\nname: app\ncomponents: {}\n', 'hsm.yaml');
    const nameFrom = (dir: string) => composeProjectName(manifest, { '.env': null, userCompose: { file: 'compose.yml', text: 'services:\n  web:\n    image: web:1\n' }, dirName: basename(dir) });
    process.chdir(join(link, 'sub'));
    const saved = process.env.PWD;
    try {
      process.env.PWD = join(link, 'sub');
      expect(findProjectDir('.')).toBe(link);
      expect(nameFrom(findProjectDir('.'))).toBe('my-app');
      expect(findProjectDir('..')).toBe(link); // `-C ..` from where the shell is
      delete process.env.PWD;
      expect(findProjectDir('.')).toBe(real);
      expect(nameFrom(findProjectDir('.'))).toBe('real_checkout');
    } finally {
      process.env.PWD = saved;
    }
  });
});
