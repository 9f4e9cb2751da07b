/**
 * The `$schema` line of hsm.yaml works on every machine (issue 13): `hsm init` writes a path relative to the
 * manifest, every command keeps the git-ignored copy under .hsm/ current, and an absolute-path line of an older
 * hsm is rewritten by the next real sync — byte for byte the same manifest otherwise.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, hsm, tempDir } from '../support/hsm-cli.js';

const SCHEMA = readFileSync(join(REPO, 'apps', 'cli', 'dist', 'schemas', 'hsm.schema.json'), 'utf8');

describe('the $schema line', () => {
  test('init writes a relative line and its copy; any command restores a stale or missing copy', async () => {
    const dir = await tempDir('hsm-schema-');
    expect((await hsm(['init'], { cwd: dir })).code).toBe(0);
    const manifest = readFileSync(join(dir, 'hsm.yaml'), 'utf8');
    expect(manifest.split('\n')[0]).toBe('# yaml-language-server: $schema=.hsm/hsm.schema.json');
    expect(manifest).not.toContain(REPO);
    expect(readFileSync(join(dir, '.hsm', 'hsm.schema.json'), 'utf8')).toBe(SCHEMA);
    expect(readFileSync(join(dir, '.hsm', '.gitignore'), 'utf8')).toBe('*\n');
    writeFileSync(join(dir, '.hsm', 'hsm.schema.json'), '{"from": "an older hsm"}');
    expect((await hsm(['info', 'redis'], { cwd: join(dir) })).code).toBe(0);
    expect(readFileSync(join(dir, '.hsm', 'hsm.schema.json'), 'utf8')).toBe(SCHEMA);
    expect(readFileSync(join(dir, '.hsm', 'hsm.local.schema.json'), 'utf8')).toContain('hsm.local.yaml');
  });

  test('an absolute-path line is rewritten by sync, not by read-only commands or --check; the rest stays byte-identical', async () => {
    const dir = await tempDir('hsm-schema-');
    const body = 'version: 1\r\nname: shop    # our shop\r\ncomponents: {}\r\n';
    const old = `# yaml-language-server: $schema=/home/someone/hsm/apps/cli/dist/schemas/hsm.schema.json\r\n${body}`;
    writeFileSync(join(dir, 'hsm.yaml'), old);
    await hsm(['status'], { cwd: dir });
    await hsm(['sync', '--check'], { cwd: dir });
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toBe(old);
    expect(existsSync(join(dir, '.hsm', 'hsm.schema.json'))).toBe(false);
    const r = await hsm(['sync', '--no-install'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toBe(`# yaml-language-server: $schema=.hsm/hsm.schema.json\r\n${body}`);
    expect(readFileSync(join(dir, '.hsm', 'hsm.schema.json'), 'utf8')).toBe(SCHEMA);
  });

  test("a line pointing elsewhere (a URL, a team schema) is the user's: left alone, no copy made", async () => {
    const dir = await tempDir('hsm-schema-');
    const text = '# yaml-language-server: $schema=https://hsm.example.com/schemas/hsm.schema.json\nversion: 1\nname: shop\ncomponents: {}\n';
    writeFileSync(join(dir, 'hsm.yaml'), text);
    expect((await hsm(['sync', '--no-install'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toBe(text);
    expect(existsSync(join(dir, '.hsm', 'hsm.schema.json'))).toBe(false);
  });
});
