/** Small tier: the strict JSON parser agrees with JSON.parse on valid input and refuses what it would alter. */
import { describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { parseStrictJson } from './strict-json.js';

const parse = (s: string | Buffer) => parseStrictJson(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
const refusal = (s: string | Buffer) => {
  try {
    parse(s);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`accepted ${String(s)}`);
};

describe('parseStrictJson', () => {
  test.each(['{}', '[]', '0', '-1.5e3', '"x"', 'true', 'null', ' {"a":[1,{"b":null}],"c":"\\u00e9\\n\\ud83d\\ude00","d":false} ', '{"a":"é😀"}', '[1,2,3]', '{"":1}', '"\\/\\b\\f\\r\\t\\"\\\\"'])(
    '%s parses as JSON.parse does',
    (s) => {
      expect(parse(s)).toEqual(JSON.parse(s));
    },
  );

  test.each([
    ['{"a":1,"a":2}', /duplicate key `a`/],
    ['{"__proto__":{}}', /__proto__/],
    ['[1e400]', /too large/],
    ['"a\\u0000b"', /NUL/],
    ['"\\ud800"', /lone surrogate/],
    ['"\\udc00x"', /lone surrogate/],
    ['"\\ud800\\u0041"', /lone surrogate/],
    ['[' + '['.repeat(64) + ']'.repeat(64) + ']', /nested too deep/],
    ['{"a":1', /not valid JSON/],
    ['{"a":1} x', /after the JSON value/],
    ['[01]', /not valid JSON/],
    ['"a\nb"', /control character/],
    ["{'a':1}", /not valid JSON/],
    ['', /not valid JSON/],
  ])('%s is refused (%s)', (s, why) => {
    const e = refusal(s);
    expect(e.code).toBe(ErrorCodes.REQUEST_INVALID);
    expect(e.message).toMatch(why);
  });

  test('invalid UTF-8 is refused, not replaced by U+FFFD', () => {
    expect(refusal(Buffer.from([0x22, 0xff, 0x22])).message).toMatch(/UTF-8/);
    expect(refusal(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])).message).toMatch(/UTF-8/); // an encoded surrogate
  });

  test('64 levels are accepted', () => {
    expect(parse('['.repeat(64) + ']'.repeat(64))).toBeDefined();
  });
});
