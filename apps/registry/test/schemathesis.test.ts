/**
 * Issue 10's standing check: schemathesis (PyPI, installed by .ci/run) runs every check (`--checks all`) in the
 * examples, coverage, fuzzing and stateful phases against the real service, anonymously and with the admin
 * token, bounded by --max-examples and --max-time. The test fails on any 5xx, any conformance failure and any
 * schemathesis error, and prints the request counts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

const CONFIG = join(import.meta.dirname, 'schemathesis.toml');

function findSchemathesis(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.local', 'bin')];
  for (const d of dirs) if (d && existsSync(join(d, 'schemathesis'))) return join(d, 'schemathesis');
  throw new Error('schemathesis is not installed: run `uv tool install "schemathesis>=4,<5"` (.ci/run does)');
}

interface Run {
  requests: number;
  operations: { selected: number; tested: number; errored: number };
  serverErrors: number;
  failures: { code: string; title: string; operations: string[] }[];
  errors: unknown[];
  exitCode: number | null;
  output: string;
}

async function schemathesis(url: string, label: string, extra: string[], maxTime: number): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), `hsm-st-${label}-`));
  try {
    const args = [
      '--config-file',
      CONFIG,
      'run',
      `${url}/docs/openapi.json`,
      '--checks',
      'all',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      '40',
      '--max-time',
      String(maxTime),
      '--seed',
      '20261201',
      // one worker: with two threads CPython 3.11.7's AST converter trips inside the tool ("AST constructor recursion
      // depth mismatch", a thread race fixed in later CPythons) in most runs here, twice in a row in one CI run
      '--workers',
      '1',
      '--request-timeout',
      '10',
      '--report',
      'json,har',
      '--report-dir',
      dir,
      ...extra,
    ];
    const child = spawn(findSchemathesis(), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const files = await readdir(dir);
    const report = JSON.parse(await readFile(join(dir, files.find((f) => f.endsWith('.json') && !f.startsWith('har'))!), 'utf8'));
    const har = JSON.parse(await readFile(join(dir, files.find((f) => f.startsWith('har'))!), 'utf8'));
    const entries: { response: { status: number } }[] = har.log.entries;
    return {
      requests: entries.length,
      operations: report.operations,
      serverErrors: entries.filter((e) => e.response.status >= 500).length,
      failures: report.failures,
      errors: report.errors,
      exitCode,
      output,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ logLevel: 'warn' });
  // something to find: documents, versions to yank, a range to resolve
  for (const [name, v] of [
    ['redis', '7.2.0'],
    ['redis', '7.4.1'],
    ['qdrant', '1.12.0'],
    ['0', '0.0.0'],
  ] as const) {
    const r = await reg.request('PUT', `/v1/components/${name}/versions/${v}`, { token: ADMIN_TOKEN, body: definition(name, v) });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  await reg?.close();
});

describe('schemathesis against the OpenAPI document', () => {
  for (const [label, extra, maxTime] of [
    ['anonymous', [], 60],
    ['admin', ['-H', `Authorization: Bearer ${ADMIN_TOKEN}`], 75],
  ] as const) {
    test(`${label}: every check, every phase — no 5xx, no conformance failure`, async () => {
      let r = await schemathesis(reg.url, label, [...extra], maxTime);
      // CPython 3.11's compiler can trip inside schemathesis itself ("AST constructor recursion depth mismatch",
      // a Runtime Error of the tool, not a response of the service): such a run proves nothing, so it is run once more
      if (r.errors.length && /recursion depth mismatch/.test(r.output) && (r.errors as { title?: string }[]).every((e) => e.title === 'Runtime Error')) {
        process.stdout.write(`schemathesis ${label}: the tool itself failed (recursion depth mismatch); running once more\n`);
        r = await schemathesis(reg.url, label, [...extra], maxTime);
      }
      process.stdout.write(
        `schemathesis ${label}: ${r.requests} requests over ${r.operations.tested}/${r.operations.selected} operations, ${r.serverErrors} with 5xx, ${r.failures.length} failure kinds, exit ${r.exitCode}\n`,
      );
      const at = r.output.search(/={5,} (ERRORS|FAILURES) ={5,}/);
      const details = r.failures.length || r.errors.length ? r.output.slice(at, at + 8000) : '';
      expect([r.failures, r.errors, r.serverErrors, details]).toEqual([[], [], 0, '']);
      expect(r.exitCode).toBe(0);
      // --max-time bounds the run, so how many requests fit depends on the machine's load; every operation is reached
      expect(r.operations).toMatchObject({ selected: 12, tested: 12, errored: 0 });
      expect(r.requests).toBeGreaterThanOrEqual(r.operations.selected);
    }, 240_000);
  }
});
