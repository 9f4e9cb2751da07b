import { describe, expect, test } from '@jest/globals';
import { interpolate, parseDotenv, composeEnvironment, composeIncludes, composeFileName } from './compose-project.js';
import { dotenvValue } from './render-env-file.js';

describe('interpolate, as Compose does', () => {
  const env = { PORT: '6380', EMPTY: '' };
  test.each([
    ['${PORT}:6379', '6380:6379'],
    ['${CACHE_PORT:-6379}:6379', '6379:6379'],
    ['${EMPTY:-1}', '1'],
    ['${EMPTY-1}', ''],
    ['${UNSET-1}', '1'],
    ['${UNSET}:80', ':80'],
    ['$PORT', '6380'],
    ['$$PORT', '$PORT'],
    ['${UNSET:-${PORT}}', '6380'],
    ['${PORT:+set}${UNSET:+x}', 'set'],
  ])('%s → %s', (input, output) => expect(interpolate(input, env)).toBe(output));
  test('a missing required variable makes the value unreadable', () => {
    expect(interpolate('${NEED:?set it}', env)).toBeNull();
    expect(interpolate('${EMPTY:?set it}', env)).toBeNull();
    expect(interpolate('${EMPTY?set it}', env)).toBe('');
  });
});

describe('.env', () => {
  test('quotes, export, comments, earlier keys interpolated; the environment wins', () => {
    const text = '# c\nexport A=1\nB="two # not a comment"\nC=\'${A}\'\nD=${A}-x # comment\nCOMPOSE_PROJECT_NAME=paperless\r\n';
    expect(parseDotenv(text)).toEqual({ A: '1', B: 'two # not a comment', C: '${A}', D: '1-x', COMPOSE_PROJECT_NAME: 'paperless' });
    expect(composeEnvironment(text, { A: '9', X: undefined })).toMatchObject({ A: '9', D: '1-x' });
  });
});

describe('dotenv values hsm writes read back as written (`hsm env` reads .hsm/env)', () => {
  test('a value with `$`, quotes, backslashes and line breaks round-trips; `\\$` is a literal dollar, as uv and Compose read it', () => {
    for (const v of ['hello world $HOME `id` \'x\' "y" \\ end', "it's $1", 'a\nb', 'p \\$HOME', "$$'", 'plain', '']) {
      expect(parseDotenv(`K=${dotenvValue(v)}`, { HOME: '/root' }).K).toBe(v);
    }
    expect(parseDotenv('G="a \\$HOME \\\\ b"', { HOME: '/root' })).toEqual({ G: 'a $HOME \\ b' });
  });
});

describe('include and name', () => {
  test('include paths relative to the including file, every form', () => {
    const text = 'include:\n  - ./docker-compose-base.yml\n  - path: [a.yml, ../b.yml]\n  - path: ${DIR:-sub}/c.yml\n';
    expect(composeIncludes('docker/docker-compose.yml', text, {})).toEqual(['docker/docker-compose-base.yml', 'docker/a.yml', 'b.yml', 'docker/sub/c.yml']);
    expect(composeIncludes('compose.yml', 'services: {}\n', {})).toEqual([]);
  });
  test('top-level name:', () => {
    expect(composeFileName('name: ${N:-shop}\nservices: {}\n', {})).toBe('shop');
    expect(composeFileName('services: {}\n', {})).toBeUndefined();
  });
});
