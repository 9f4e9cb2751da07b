/**
 * The Python test fixtures themselves, against real uv: a checkout's in-tree backend also builds regular
 * wheels, and a wheel from buildWheel carries a RECORD that matches its files.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { buildWheel, makeCheckout, uvTestEnv } from '../support/python-fixtures.js';
import { tempDir } from '../support/files.js';

let root: string;
beforeAll(async () => {
  root = await tempDir('hsm-pyfix-');
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('python fixtures', () => {
  test('a checkout builds a regular wheel with uv build, offline', async () => {
    const dir = await makeCheckout(join(root, 'co'), { name: 'Demo.X', version: '0.5.0', dependencies: ['demo-dep>=1'] });
    const env = { ...process.env, ...uvTestEnv(join(root, 'wheels'), join(root, 'cache')) };
    await runProcess(['uv', 'build', '--wheel', '--offline', '--out-dir', join(root, 'dist'), dir], { env });
    const { stdout } = await runProcess(['python3', '-m', 'zipfile', '-l', join(root, 'dist/demo_x-0.5.0-py3-none-any.whl')]);
    expect(stdout).toContain('demo_x/__init__.py');
  });

  test('buildWheel writes a wheel whose RECORD hashes match, with Requires-Dist', async () => {
    const wheel = await buildWheel(join(root, 'w'), { name: 'demo-y', version: '2.0.0', dependencies: ['demo-dep>=1'], modules: { 'demo_y/__init__.py': 'X = 1\n', 'demo_y/sub.py': 'Y = 2\n' } });
    expect(wheel).toMatch(/demo_y-2\.0\.0-py3-none-any\.whl$/);
    const check = `
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
rows = [r.split(",") for r in z.read("demo_y-2.0.0.dist-info/RECORD").decode().splitlines()]
for path, digest, size in rows:
    if path.endswith("RECORD"): continue
    data = z.read(path)
    assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), path
    assert int(size) == len(data), path
print(len(rows), "Requires-Dist: demo-dep>=1" in z.read("demo_y-2.0.0.dist-info/METADATA").decode())
`;
    const { stdout } = await runProcess(['python3', '-c', check, wheel]);
    expect(stdout.trim()).toBe('5 True');
  });
});
