import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { setIn, deleteIn } from './edit-yaml.js';

const BASE = `# yaml-language-server: $schema=./hsm.schema.json
version: 1
name: rag-app   # the app

components:
  # the cache
  redis: {}
  qdrant-adapter:
    version: "^1.4"   # pinned for now
    mode: prod
  bare:

groups:
  vector-store: { policy: one, use: qdrant-adapter }
`;

describe('setIn / deleteIn keep every other byte', () => {
  test('add a component to a block map', () => {
    const out = setIn(BASE, ['components', 'minio'], {});
    expect(out).toBe(BASE.replace('  bare:\n', '  bare:\n  minio: {}\n'));
  });
  test('add with a range quotes it', () => {
    const out = setIn(BASE, ['components', 'minio'], { version: '^2' });
    expect(out).toContain('  bare:\n  minio:\n    version: "^2"\n\ngroups');
  });
  test('set a field on an empty flow entry turns it into a block', () => {
    const out = setIn(BASE, ['components', 'redis', 'mode'], 'dev');
    expect(out).toBe(BASE.replace('redis: {}', 'redis:\n    mode: dev'));
  });
  test('set a field on a block entry keeps the comment', () => {
    const out = setIn(BASE, ['components', 'qdrant-adapter', 'mode'], 'dev');
    expect(out).toBe(BASE.replace('mode: prod', 'mode: dev'));
    const out2 = setIn(BASE, ['components', 'qdrant-adapter', 'path'], '../qa');
    expect(out2).toBe(BASE.replace('    mode: prod\n', '    mode: prod\n    path: ../qa\n'));
  });
  test('set a field on a null entry', () => {
    const out = setIn(BASE, ['components', 'bare', 'mode'], 'dev');
    expect(parse(out).components.bare).toEqual({ mode: 'dev' });
    expect(out).toBe(BASE.replace('  bare:\n', '  bare:\n    mode: dev\n'));
  });
  test('flow group edit', () => {
    const out = setIn(BASE, ['groups', 'vector-store', 'use'], 'chroma-adapter');
    expect(out).toBe(BASE.replace('use: qdrant-adapter }', 'use: chroma-adapter }'));
  });
  test('an empty flow map grows into a block', () => {
    const t = 'version: 1\nname: x\ncomponents: {}\n# end\n';
    const out = setIn(t, ['components', 'redis'], {});
    expect(out).toBe('version: 1\nname: x\ncomponents:\n  redis: {}\n# end\n');
    expect(deleteIn(out, ['components', 'redis'])).toBe(t);
  });
  test('a comment after `{}` stays where it is, and add → remove gives back the bytes (issue 9 item 13)', () => {
    const t = 'version: 1\nname: x\ncomponents: {}   # filled by hsm add\n# end\n';
    const one = setIn(t, ['components', 'redis'], {});
    expect(one).toBe('version: 1\nname: x\ncomponents: { redis: {} }   # filled by hsm add\n# end\n');
    const two = setIn(one, ['components', 'minio'], { version: '^1' });
    expect(parse(two).components).toEqual({ redis: {}, minio: { version: '^1' } });
    expect(deleteIn(deleteIn(two, ['components', 'minio']), ['components', 'redis'])).toBe(t);
    expect(deleteIn(one, ['components', 'redis'])).toBe(t);
  });
  test('a comment after the key survives removing the last entry', () => {
    const t = 'version: 1\nname: x\ncomponents:   # filled by hsm add\n  redis: {}\n# end\n';
    const out = deleteIn(t, ['components', 'redis']);
    expect(out).toBe('version: 1\nname: x\ncomponents: {}   # filled by hsm add\n# end\n');
    expect(deleteIn(setIn(out, ['components', 'minio'], {}), ['components', 'minio'])).toBe(out);
  });
  test('new top-level key', () => {
    const out = setIn('version: 1\nname: x\n', ['components', 'redis'], {});
    expect(out).toBe('version: 1\nname: x\ncomponents:\n  redis: {}\n');
  });
  test('add then delete restores the bytes', () => {
    for (const name of ['minio', 'zzz']) {
      const out = setIn(BASE, ['components', name], { version: '^1' });
      expect(deleteIn(out, ['components', name])).toBe(BASE);
    }
  });
  test('delete a block entry with its fields', () => {
    const out = deleteIn(BASE, ['components', 'qdrant-adapter']);
    expect(out).toBe(BASE.replace('  qdrant-adapter:\n    version: "^1.4"   # pinned for now\n    mode: prod\n', ''));
  });
  test('delete the last entry leaves {}', () => {
    const t = 'version: 1\nname: x\ncomponents:\n  redis: {}\n# end\n';
    expect(deleteIn(t, ['components', 'redis'])).toBe('version: 1\nname: x\ncomponents: {}\n# end\n');
  });
  test('CRLF files stay CRLF', () => {
    const t = 'version: 1\r\nname: x\r\ncomponents:\r\n  redis: {}\r\n';
    const out = setIn(t, ['components', 'minio', 'version'], '^1');
    expect(out).toBe('version: 1\r\nname: x\r\ncomponents:\r\n  redis: {}\r\n  minio:\r\n    version: "^1"\r\n');
  });
  test('four-space indentation is followed', () => {
    const t = 'version: 1\nname: x\ncomponents:\n    redis:\n        mode: dev\n';
    const out = setIn(t, ['components', 'minio', 'mode'], 'dev');
    expect(out).toBe(t + '    minio:\n        mode: dev\n');
  });
});
