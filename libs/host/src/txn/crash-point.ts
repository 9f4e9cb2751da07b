/**
 * Test-only crash injection: with HSM_TEST_CRASH_AT=<point>, the process SIGKILLs itself when it reaches that
 * point of a transaction, exactly like `kill -9` or a power cut would stop it there. Read once at load.
 * Points: journal-written, temp-written-<i>, replaced-<i>, dir-created-<i>, after-write, committed,
 * journal-removed, rollback-<i> (i counts from 0 in the order the files are handled); a single-file transaction
 * (no journal): single-temp-written, single-replaced.
 */
const crashAt = process.env.HSM_TEST_CRASH_AT;

export function crashPoint(name: string): void {
  if (crashAt !== undefined && crashAt === name) process.kill(process.pid, 'SIGKILL');
}
