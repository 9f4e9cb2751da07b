import { describe, test, expect } from '@jest/globals';
import { renderEnvFile, dotenvValue, ENV_FILE_HEADER } from './render-env-file.js';
import { ErrorCodes, HsmError } from '../errors.js';
import type { ResolvedComponent } from '../model.js';

function component(name: string, env?: Record<string, string>, python = true): ResolvedComponent {
  return {
    name,
    version: '1.0.0',
    registry: 'local',
    digest: 'sha256:0',
    definition: { name, version: '1.0.0', env, ...(python ? { python: { package: name } } : {}) },
    mode: 'prod',
    checkout: `packages/${name}`,
    reasons: [],
  };
}

describe('renderEnvFile', () => {
  test('components by name, keys by name, a header, one block per component', () => {
    const text = renderEnvFile([component('redis', { REDIS_URL: 'redis://localhost:6379/0' }), component('qdrant', { QDRANT_URL: 'http://localhost:6333', QDRANT_API_KEY: '' })]);
    expect(text).toBe(`${ENV_FILE_HEADER}\n\n# qdrant 1.0.0\nQDRANT_API_KEY=''\nQDRANT_URL=http://localhost:6333\n\n# redis 1.0.0\nREDIS_URL=redis://localhost:6379/0\n`);
  });

  test('null when nothing is exported', () => {
    expect(renderEnvFile([component('a'), component('b', {})])).toBeNull();
  });

  test('one value from two components is written once; two values are a clash', () => {
    expect(renderEnvFile([component('a', { X: '1' }), component('b', { X: '1' })])).toContain('# a 1.0.0\nX=1\n');
    try {
      renderEnvFile([component('a', { X: '1' }), component('b', { X: '2' })]);
      throw new Error('expected a clash');
    } catch (e) {
      expect((e as HsmError).code).toBe(ErrorCodes.ENV_CLASH);
    }
  });

  test('values are quoted only when needed', () => {
    expect(dotenvValue('http://h:1/p?x')).toBe("'http://h:1/p?x'");
    expect(dotenvValue('a b $HOME #c')).toBe("'a b $HOME #c'");
    expect(dotenvValue("it's")).toBe('"it\'s"');
    expect(dotenvValue('line\n"two" $x')).toBe('"line\\n\\"two\\" \\$x"');
    expect(dotenvValue('postgres://u@db:5432/app')).toBe('postgres://u@db:5432/app');
  });
});
