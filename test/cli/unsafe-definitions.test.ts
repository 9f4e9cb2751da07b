/**
 * End-to-end (issue 16): a folder-registry definition that reaches into the host is refused by `hsm add` with
 * HSM_SERVICE_UNSAFE at its file and line, exit 2 and nothing written; `hsm info` says what it needs; `--allow`
 * writes the allowance to hsm.yaml and the same add then succeeds.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hsm, tempDir, snapshot } from '../support/hsm-cli.js';

const CADVISOR = `name: cadvisor
version: 0.49.1
description: container metrics
services:
  cadvisor:
    image: gcr.io/cadvisor/cadvisor:v0.49.1
    privileged: true
    ports: ["127.0.0.1:8088:8080"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - /sys:/sys:ro
`;

async function project(): Promise<string> {
  const dir = await tempDir('hsm-unsafe-');
  await mkdir(join(dir, 'reg', 'cadvisor'), { recursive: true });
  await writeFile(join(dir, 'reg', 'cadvisor', '0.49.1.yaml'), CADVISOR);
  await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: demo\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\n');
  return dir;
}

describe('definitions that reach into the host', () => {
  test('are refused at their line with nothing written, shown by info, and accepted with --allow', async () => {
    const dir = await project();
    const before = snapshot(dir);
    const refused = await hsm(['add', 'cadvisor', '--no-install', '--json'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.json.error.code).toBe('HSM_SERVICE_UNSAFE');
    expect(refused.json.error.message).toMatch(/reg\/cadvisor\/0\.49\.1\.yaml:7: component cadvisor 0\.49\.1 \(registry local\), service `cadvisor`, key `privileged`/);
    expect(refused.json.error.hint).toContain('components.cadvisor.allow: [privileged, host-mounts, docker-socket]');
    expect(snapshot(dir)).toEqual(before);

    const info = await hsm(['info', 'cadvisor', '--json'], { cwd: dir });
    expect(info.code).toBe(0);
    expect(info.json.capabilities).toEqual(['privileged', 'host-mounts', 'docker-socket']);

    const typo = await hsm(['add', 'cadvisor', '--allow', 'privilegd', '--no-install', '--json'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.json.error.code).toBe('HSM_USAGE');
    expect(typo.json.error.message).toContain('`privileged`');

    const partly = await hsm(['add', 'cadvisor', '--allow', 'privileged', '--no-install', '--json'], { cwd: dir });
    expect(partly.code).toBe(2);
    expect(partly.json.error.message).toContain('key `volumes.0`');
    expect(snapshot(dir)).toEqual(before);

    const ok = await hsm(['add', 'cadvisor', '--allow', 'docker-socket', '--allow', 'privileged', '--allow', 'host-mounts', '--no-install'], { cwd: dir });
    expect({ code: ok.code, stderr: ok.stderr }).toMatchObject({ code: 0 }); // stderr shown when it fails
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toMatch(/cadvisor:\n\s+allow:\n?\s*(\[privileged, host-mounts, docker-socket\]|- privileged\n\s+- host-mounts\n\s+- docker-socket)/);
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('privileged: true');
  });
});
