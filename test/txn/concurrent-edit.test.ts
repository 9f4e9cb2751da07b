/**
 * Issue 8: the journal records the bytes a plan was computed from, and a project file that changes between the
 * read and the write (an editor saving hsm.yaml mid-sync) is HSM_CONCURRENT_EDIT: nothing is written, the edit stays.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@hsm/core';
import { acquireProjectLock, applyPlan, loadProject, planProject, type Reporter } from '@hsm/host';
import { scratchDir } from '../support/files.js';
import { rejected } from '../support/hsm-errors.js';

const quiet: Reporter = { log() {}, warn() {}, debug() {}, step: () => () => {}, quiet: true, verbose: false };

function project(): string {
  const dir = scratchDir('concurrent');
  mkdirSync(join(dir, 'reg', 'svc'), { recursive: true });
  writeFileSync(join(dir, 'reg', 'svc', '1.0.0.yaml'), 'name: svc\nversion: 1.0.0\nservices:\n  svc:\n    image: busybox:1\n');
  writeFileSync(join(dir, 'hsm.yaml'), 'version: 1\nname: c\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents: {}\n');
  return dir;
}

async function applyAfter(dir: string, between: () => void, edit = true): Promise<unknown> {
  const lock = await acquireProjectLock(dir, { waitSeconds: 0, command: 'test' });
  try {
    const loaded = await loadProject(dir, edit ? { edit: (e) => e.manifest.set(['components', 'svc'], {}) } : {});
    const plan = planProject(loaded);
    between();
    return await applyPlan(loaded, plan, { reporter: quiet, build: 'test', noInstall: true });
  } finally {
    await lock.release();
  }
}

describe('a file edited between read and write', () => {
  test('is detected, not overwritten', async () => {
    const dir = project();
    const edited = readFileSync(join(dir, 'hsm.yaml'), 'utf8') + '# saved by an editor meanwhile\n';
    const e = await rejected(applyAfter(dir, () => writeFileSync(join(dir, 'hsm.yaml'), edited)));
    expect(e.code).toBe(ErrorCodes.CONCURRENT_EDIT);
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toBe(edited);
    expect(existsSync(join(dir, 'hsm.lock'))).toBe(false);
    expect(existsSync(join(dir, 'docker-compose.hsm.yml'))).toBe(false);
    expect(existsSync(join(dir, '.hsm', 'txn', 'journal.json'))).toBe(false);
  });

  test('a file that appears meanwhile is not replaced either; the same apply undisturbed goes through', async () => {
    const dir = project();
    const e = await rejected(applyAfter(dir, () => writeFileSync(join(dir, 'docker-compose.hsm.yml'), 'services: {}\n')));
    expect(e.code).toBe(ErrorCodes.CONCURRENT_EDIT);
    expect(readFileSync(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toBe('services: {}\n');
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).not.toContain('svc');
    // with nothing in between the same apply goes through
    const fresh = project();
    await applyAfter(fresh, () => {});
    expect(readFileSync(join(fresh, 'hsm.yaml'), 'utf8')).toContain('svc: {}');
    expect(readFileSync(join(fresh, 'docker-compose.hsm.yml'), 'utf8')).toContain('image: busybox:1');
  });
});
