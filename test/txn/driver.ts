/**
 * A real hsm-like process for the transaction tests, bundled by esbuild from libs/host/src in the tests'
 * beforeAll. Modes:
 *   apply PROJECT SPEC_JSON     take the lock, recover, apply SPEC's changes (afterWrite per SPEC, none if absent), release
 *   recover PROJECT             take the lock, recover, print the result as JSON
 *   counter PROJECT N WAIT      N times: take the lock (waiting up to WAIT s), read counter.txt, write it + 1
 * Prints `{"ok":...}` or `{"error":CODE}` as its last stdout line; progress lines go to stderr.
 */
import { readFile, open } from 'node:fs/promises';
import path from 'node:path';
import { acquireProjectLock, applyFiles, recoverInterrupted, type FileChange } from '../../libs/host/src/txn/index.js';
import { runProcess } from '../../libs/host/src/run-process.js';
import { HsmError, ErrorCodes, isHsmError } from '@hsm/core';

interface Spec {
  changes: FileChange[];
  alsoGuard?: string[];
  /** none | fail | uv-like | crash-mid | wait-signal */
  afterWrite?: string;
  /** New bytes the afterWrite step gives uv.lock (uv-like, crash-mid). */
  uvLock?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function uvLike(project: string, content: string, crashMidway: boolean): Promise<void> {
  // Like uv: rewrite uv.lock in place (not atomically), in chunks, with some work between them.
  const handle = await open(path.join(project, 'uv.lock'), 'w');
  try {
    const chunk = Math.ceil(content.length / 4);
    for (let i = 0; i < 4; i++) {
      await handle.write(content.slice(i * chunk, (i + 1) * chunk));
      if (crashMidway && i === 1) process.kill(process.pid, 'SIGKILL');
      let x = 0;
      for (let j = 0; j < 200000; j++) x += Math.sqrt(j);
      if (x < 0) throw new Error('unreachable');
      await sleep(5);
    }
  } finally {
    await handle.close();
  }
  await runProcess(['node', '-e', '0']);
}

async function main(): Promise<unknown> {
  const [mode, project, ...rest] = process.argv.slice(2);
  if (mode === 'recover') {
    const lock = await acquireProjectLock(project, { command: 'hsm status' });
    try {
      return await recoverInterrupted(project);
    } finally {
      await lock.release();
    }
  }
  if (mode === 'apply') {
    const spec = JSON.parse(rest[0]) as Spec;
    const lock = await acquireProjectLock(project, { command: 'hsm sync', waitSeconds: 10 });
    try {
      await recoverInterrupted(project);
      process.stderr.write('TXN-START\n');
      await applyFiles(project, spec.changes, {
        alsoGuard: spec.alsoGuard,
        // no afterWrite in SPEC: nothing runs after the files (a lone hsm.yaml edit then takes no journal)
        afterWrite: !spec.afterWrite
          ? undefined
          : async ({ signal }) => {
              if (spec.afterWrite === 'fail') throw new HsmError(ErrorCodes.UV_FAILED, 'uv lock failed (test)');
              if (spec.afterWrite === 'uv-like' || spec.afterWrite === 'crash-mid') await uvLike(project, spec.uvLock ?? '', spec.afterWrite === 'crash-mid');
              if (spec.afterWrite === 'wait-signal') {
                process.stderr.write('READY\n');
                await runProcess(['sleep', '30'], { signal });
              }
            },
      });
      return 'applied';
    } finally {
      await lock.release();
    }
  }
  if (mode === 'counter') {
    const [n, wait] = rest.map(Number);
    process.stderr.write(`PID ${process.pid}\n`);
    for (let i = 0; i < n; i++) {
      const lock = await acquireProjectLock(project, {
        command: `hsm counter ${process.pid}`,
        waitSeconds: wait,
        onWait: (holder) => process.stderr.write(`WAITING-FOR ${JSON.stringify(holder)}\n`),
      });
      try {
        await recoverInterrupted(project);
        const value = Number(await readFile(path.join(project, 'counter.txt'), 'utf8'));
        await sleep(2); // widen the read-modify-write window so a broken lock would lose updates
        await applyFiles(project, [{ path: 'counter.txt', after: String(value + 1) }]);
      } finally {
        await lock.release();
      }
    }
    return 'counted';
  }
  throw new Error(`unknown mode ${mode}`);
}

main().then(
  (ok) => {
    process.stdout.write(`${JSON.stringify({ ok })}\n`);
  },
  (e: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: isHsmError(e) ? e.code : 'UNCODED', message: (e as Error).message })}\n`);
    process.exitCode = 1;
  },
);
