import { describe, test, expect } from '@jest/globals';
import { parse } from 'yaml';
import { linkComposeInclude } from './link-compose-include.js';
import { ErrorCodes, HsmError } from '../errors.js';

const F = 'docker-compose.hsm.yml';

/** User compose files with the formatting hsm must not disturb. */
const fixtures: Record<string, string> = {
  'comments, anchors and odd spacing, no include': `# My stack — keep this comment
x-common: &common
  restart:    unless-stopped   # aligned comment
  logging: { driver: "json-file" }

services:
  web:
    <<: *common
    image: 'nginx:1.27'
    ports: [ "8080:80" ]   # flow list with padding
  db:
    image: postgres:16
`,
  'existing block include with comments': `name: mine
include:
  # shared infra
  - infra/compose.yaml   # first
  - path: monitoring/compose.yaml
    env_file: monitoring/.env
services:
  app: { image: app }
`,
  'zero-indented include list': `include:
- a.yaml
services:
    app:
        image: app
`,
  'flow include': `include: [a.yaml,   b.yaml]  # keep
services:
  app:
    image: app
`,
  'no final newline': `services:
  app:
    image: app
include:
  - a.yaml`,
  'CRLF line ends': 'services:\r\n  app:\r\n    image: app\r\n',
  'leading comment and document marker': `# header
---
services:
  app:
    image: app
`,
};

function includes(text: string): unknown {
  return parse(text, { merge: true }).include;
}

describe('linkComposeInclude', () => {
  for (const [name, original] of Object.entries(fixtures)) {
    test(`${name}: added once, removed to the original bytes`, () => {
      const added = linkComposeInclude(original, F, true);
      expect(added).not.toBe(original);
      const list = includes(added) as unknown[];
      expect(list.filter((x) => x === F)).toHaveLength(1);
      expect(list[list.length - 1]).toBe(F);
      // Everything else still means the same.
      const before = parse(original, { merge: true });
      const after = parse(added, { merge: true });
      delete after.include;
      if (before.include) after.include = before.include;
      expect(after).toEqual(before);
      // Idempotent both ways.
      expect(linkComposeInclude(added, F, true)).toBe(added);
      const removed = linkComposeInclude(added, F, false);
      expect(removed).toBe(original);
      expect(linkComposeInclude(removed, F, false)).toBe(original);
    });
  }

  test('adding touches only the inserted lines', () => {
    const original = fixtures['comments, anchors and odd spacing, no include'];
    expect(linkComposeInclude(original, F, true)).toBe(original.replace('x-common: &common', `include:\n  - ${F}\nx-common: &common`));
    const block = fixtures['existing block include with comments'];
    expect(linkComposeInclude(block, F, true)).toBe(block.replace('services:', `  - ${F}\nservices:`));
    expect(linkComposeInclude(fixtures['flow include'], F, true)).toBe(fixtures['flow include'].replace('b.yaml]', `b.yaml, ${F}]`));
    expect(linkComposeInclude(fixtures['CRLF line ends'], F, true)).toBe(`include:\r\n  - ${F}\r\nservices:\r\n  app:\r\n    image: app\r\n`);
  });

  test('an entry the user wrote (long syntax or ./path) counts as present', () => {
    const text = `include:\n  - path: ./${F}\nservices: {}\n`;
    expect(linkComposeInclude(text, F, true)).toBe(text);
    expect(linkComposeInclude(`include:\n  - a.yaml\n  - ./${F}\n`, F, false)).toBe('include:\n  - a.yaml\n');
  });

  test('an empty file gets a standalone include', () => {
    expect(linkComposeInclude('', F, true)).toBe(`include:\n  - ${F}\n`);
    expect(linkComposeInclude(`include:\n  - ${F}\n`, F, false)).toBe('');
  });

  test('files hsm cannot edit safely are input errors', () => {
    for (const text of ['{services: {}}\n', 'include: docker-compose.other.yml\n', 'services: [\n']) {
      try {
        linkComposeInclude(text, F, true);
        throw new Error(`expected an error for ${text}`);
      } catch (e) {
        expect((e as HsmError).code).toBe(ErrorCodes.COMPOSE_INVALID);
      }
    }
  });
});

describe('linkComposeInclude on generated variants', () => {
  // A small seeded generator of compose files: top-level blocks in random order, optional include in several
  // styles, comments and blank lines between blocks, CRLF or LF, with or without a final newline.
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  }
  const blocks = [
    'name: demo',
    'services:\n  web:\n    image: nginx   # pinned later\n    ports: [ "80:80" ]',
    'x-common: &c\n  restart: always\n',
    'volumes:\n  data: {}',
    'networks:\n    back:\n        driver: bridge',
    '# a lone comment',
  ];
  const includes = ['include:\n  - a.yaml', 'include:\n- a.yaml\n- path: [b.yaml, c.yaml]', 'include: [a.yaml]', 'include: []', 'include:\n  # only a comment\n  - ./x/compose.yaml  # why'];

  test('remove(add(file)) gives back every byte, add is idempotent, 300 variants', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const parts = blocks.filter(() => r() < 0.7).sort(() => r() - 0.5);
      if (!parts.some((p) => p.startsWith('services'))) parts.push(blocks[1]);
      if (r() < 0.6) parts.splice(Math.floor(r() * (parts.length + 1)), 0, includes[Math.floor(r() * includes.length)]);
      let text = parts.join(r() < 0.5 ? '\n' : '\n\n') + (r() < 0.8 ? '\n' : '');
      if (r() < 0.2) text = text.replace(/\n/g, '\r\n');
      const added = linkComposeInclude(text, F, true);
      expect(linkComposeInclude(added, F, true)).toBe(added);
      const list = parse(added, { merge: true }).include as unknown[];
      expect(list).toContain(F);
      expect(linkComposeInclude(added, F, false)).toBe(text);
    }
  });
});
