import { describe, test, expect } from '@jest/globals';
import { linkComposeEnv, COMPOSE_ENV_MARKER } from './link-compose-env.js';

const FILES = ['docker-compose.yml', 'docker-compose.hsm.yml'];

describe('linkComposeEnv', () => {
  test("no .env: created with hsm's line, and gone again when removed", () => {
    const created = linkComposeEnv(null, FILES);
    expect(created).toBe(`${COMPOSE_ENV_MARKER}\nCOMPOSE_FILE=docker-compose.yml:docker-compose.hsm.yml\n`);
    expect(linkComposeEnv(created, FILES)).toBe(created);
    expect(linkComposeEnv(created, null)).toBeNull();
    expect(linkComposeEnv(null, null)).toBeNull();
  });

  test('other lines keep their bytes, and removal gives back the original file', () => {
    const original = '# secrets\r\nPOSTGRES_PASSWORD="s3cr3t # not a comment"\r\n\r\nexport  API_KEY = abc   # trailing\r\nNO_NEWLINE=1';
    const added = linkComposeEnv(original, FILES)!;
    expect(added.endsWith(original)).toBe(true);
    expect(added.startsWith(`${COMPOSE_ENV_MARKER}\r\nCOMPOSE_FILE=`)).toBe(true);
    expect(linkComposeEnv(added, FILES)).toBe(added);
    expect(linkComposeEnv(added, null)).toBe(original);
  });

  test("changing the list rewrites only hsm's line", () => {
    const added = linkComposeEnv('A=1\n', ['docker-compose.hsm.yml'])!;
    const changed = linkComposeEnv(added, FILES)!;
    expect(changed).toBe(`${COMPOSE_ENV_MARKER}\nCOMPOSE_FILE=docker-compose.yml:docker-compose.hsm.yml\nA=1\n`);
    expect(linkComposeEnv(changed, null)).toBe('A=1\n');
  });

  test("the user's own COMPOSE_FILE gets the generated file appended, and taken out again", () => {
    for (const original of [
      'COMPOSE_FILE=compose.yaml:compose.dev.yaml\nB=2\n',
      'COMPOSE_FILE="compose.yaml"\n',
      'export COMPOSE_FILE=compose.yaml # mine\n',
      'COMPOSE_PATH_SEPARATOR=;\nCOMPOSE_FILE=compose.yaml;other.yaml\n',
    ]) {
      const added = linkComposeEnv(original, ['compose.yaml', 'docker-compose.hsm.yml'])!;
      expect(added).toContain('docker-compose.hsm.yml');
      expect(added).not.toContain(COMPOSE_ENV_MARKER);
      expect(added.split('\n').length).toBe(original.split('\n').length);
      expect(linkComposeEnv(added, ['compose.yaml', 'docker-compose.hsm.yml'])).toBe(added);
      expect(linkComposeEnv(added, null)).toBe(original);
    }
    expect(linkComposeEnv('COMPOSE_FILE="compose.yaml"\n', FILES)).toBe('COMPOSE_FILE="compose.yaml:docker-compose.hsm.yml"\n');
    expect(linkComposeEnv('COMPOSE_PATH_SEPARATOR=;\nCOMPOSE_FILE=a.yml\n', FILES)).toBe('COMPOSE_PATH_SEPARATOR=;\nCOMPOSE_FILE=a.yml;docker-compose.hsm.yml\n');
  });
});

describe('linkComposeEnv on generated variants', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  }
  const lines = ['# comment', '', 'A=1', 'export B = "two words"', "C='x # y'", 'D=', 'COMPOSE_FILE=compose.yaml', 'COMPOSE_FILE="compose.yaml:extra.yaml"', 'E=${A}'];

  test('remove(add(file)) gives back every byte, add is idempotent, 300 variants', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      let picked = lines.filter(() => r() < 0.5).sort(() => r() - 0.5);
      // At most one COMPOSE_FILE line of the user's.
      const firstCf = picked.findIndex((l) => l.startsWith('COMPOSE_FILE'));
      picked = picked.filter((l, i) => !l.startsWith('COMPOSE_FILE') || i === firstCf);
      let text: string | null = picked.length === 0 && r() < 0.5 ? null : picked.join('\n') + (r() < 0.8 ? '\n' : '');
      if (text !== null && r() < 0.2) text = text.replace(/\n/g, '\r\n');
      const files = r() < 0.5 ? ['docker-compose.hsm.yml'] : FILES;
      const added = linkComposeEnv(text, files)!;
      expect(added).toContain('docker-compose.hsm.yml');
      expect(linkComposeEnv(added, files)).toBe(added);
      const removed = linkComposeEnv(added, null);
      expect(removed).toBe(text === '' ? null : text);
    }
  });
});
