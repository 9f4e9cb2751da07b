/** Small tier: `docker compose ps --format json` rows → the phases `hsm up` waits on (issue 17). */
import { describe, expect, test } from '@jest/globals';
import { describePhase, hasFailed, isReady, parsePs, phaseOf } from './wait-services.js';

describe('phaseOf', () => {
  test.each([
    [{ State: 'running', Health: '' }, 'running', true, false],
    [{ State: 'running', Health: 'starting' }, 'starting', false, false],
    [{ State: 'running', Health: 'healthy' }, 'healthy', true, false],
    [{ State: 'running', Health: 'unhealthy' }, 'unhealthy', false, true],
    [{ State: 'exited', ExitCode: 0 }, 'completed', true, false],
    [{ State: 'exited', ExitCode: 3 }, 'exited', false, true],
    [{ State: 'restarting', ExitCode: 1 }, 'restarting', false, true],
    [{ State: 'created' }, 'created', false, false],
    [{ State: 'dead' }, 'dead', false, true],
  ])('%j is %s', (row, phase, ready, failed) => {
    const s = phaseOf({ Service: 'db', Name: 'p-db-1', ...row });
    expect(s.phase).toBe(phase);
    expect(isReady(s)).toBe(ready);
    expect(hasFailed(s)).toBe(failed);
  });

  test('words for people: exited N, completed one-shots', () => {
    expect(describePhase(phaseOf({ Service: 'x', State: 'exited', ExitCode: 3 }))).toBe('exited 3');
    expect(describePhase(phaseOf({ Service: 'x', State: 'exited', ExitCode: 0 }))).toBe('exited 0 (completed)');
  });
});

describe('parsePs', () => {
  const rows = [
    { Service: 'web', Name: 'p-web-1', State: 'running', Health: 'healthy', ExitCode: 0 },
    { Service: 'db', Name: 'p-db-1', State: 'running', Health: 'starting', ExitCode: 0 },
  ];
  test('one object per line (Compose ≥ 2.21) and one array (older) read the same, sorted by service', () => {
    const lines = parsePs(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect(lines.map((s) => [s.service, s.phase])).toEqual([
      ['db', 'starting'],
      ['web', 'healthy'],
    ]);
    expect(parsePs(JSON.stringify(rows))).toEqual(lines);
    expect(parsePs('')).toEqual([]);
  });
});
