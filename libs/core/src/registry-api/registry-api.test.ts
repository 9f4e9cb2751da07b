/** The registry API's patterns say exactly what the shared rules (NAME_RE, semver) accept. */
import { describe, expect, test } from '@jest/globals';
import semver from 'semver';
import { NAME_RE, Version } from '../schema/common.js';
import { ComponentName, CreateTokenRequest, ExactVersion, LookupName, VersionRange } from './requests.js';
import { COMPONENT_NAME, EXACT_VERSION, RANGE } from './patterns.js';
import { ResolveResponse, SearchResponse } from './responses.js';
import { checkResponse } from './check-response.js';

const ok = (s: { safeParse(v: unknown): { success: boolean } }, v: unknown) => s.safeParse(v).success;

describe('registry API patterns', () => {
  test('COMPONENT_NAME is NAME_RE without the lookahead', () => {
    const samples = ['a', 'a-b', 'a--b', '-a', 'a-', 'A', 'a_b', 'qdrant-adapter', '0', 'a'.repeat(64), 'a'.repeat(65), '', 'a.b', 'é'];
    for (const s of samples) expect([s, ok(ComponentName, s)]).toEqual([s, NAME_RE.test(s)]);
    expect(new RegExp(COMPONENT_NAME).test('a-b-c')).toBe(true);
  });

  test('EXACT_VERSION: exact semver (as Version accepts), parts below 2³¹', () => {
    const accepted = ['0.0.0', '1.2.3', '2147483647.0.0', '1.0.0-rc.1', '1.0.0-0a', '1.0.0--', '1.0.0-a-b.c'];
    const refused = ['2147483648.0.0', '9007199254740991.0.0', '1.2147483648.0', '1.0.2147483648', '01.0.0', '1.0', '1.0.0+build', '1.0.0-a.01', 'v1.0.0', '1.0.0\u0000'];
    for (const v of accepted) {
      expect([v, ok(ExactVersion, v)]).toEqual([v, true]);
      expect(ok(Version, v)).toBe(true);
    }
    for (const v of refused) expect([v, ok(ExactVersion, v)]).toEqual([v, false]);
    expect(new RegExp(EXACT_VERSION).test('1.0.0-01')).toBe(false);
  });

  test('RANGE: every range it matches is a valid semver range; the usual spellings match', () => {
    const usual = ['*', 'x', '^1.4', '~1.2.3', '>=2 <3', '1.x || >=2.5.0', '1.2 - 2', '>= 1.2', '=1.2.3', '~>1.2', 'v1', '^1.0.0-rc.1', '>=1.0.0-rc.1 <2', '1.2.3', '<=1.2.3-alpha.1'];
    for (const r of usual) expect([r, ok(VersionRange, r)]).toEqual([r, true]);
    for (const r of ['', 'not a range!', '^01', '1.2.3.4', '>=  1', ' 1', '1 ||', '|| 1']) expect([r, ok(VersionRange, r)]).toEqual([r, false]);
    // pseudo-random strings built from the grammar's alphabet: whatever the pattern matches, semver accepts
    const alphabet = ['1', '0', '2', '.', 'x', '*', '^', '~', '>', '<', '=', ' ', '-', '|', 'v', 'a'];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let matched = 0;
    for (let i = 0; i < 30_000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      if (!new RegExp(RANGE).test(s)) continue;
      matched++;
      expect([s, semver.validRange(s) !== null]).toEqual([s, true]);
    }
    expect(matched).toBeGreaterThan(200);
  });

  test('RANGE: ranges built from the grammar (wildcards before or after numbers, every operator) match only if semver takes them', () => {
    // schemathesis generated `<vX.0.6733 3 || …`: the pattern matched, node-semver 7 refused it ("Invalid comparator")
    expect(ok(VersionRange, '<vX.0.6733 3 || * - v177727.0.787 || vx.0 - vx.0')).toBe(false);
    for (const r of ['<X.0.1', '>=1.x.2', 'X.0.1', '<*.1.2']) expect([r, new RegExp(RANGE).test(r)]).toEqual([r, false]);
    for (const r of ['1.x', '1.2.*', 'x.x', '<1.2.x', '~1.x', '>=X']) expect([r, ok(VersionRange, r)]).toEqual([r, true]);
    let seed = 11;
    const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
    const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)];
    const part = () => pick(['0', '1', '12', '2147', 'x', 'X', '*']);
    const partial = () => `${pick(['', 'v'])}${Array.from({ length: 1 + rnd(3) }, part).join('.')}${rnd(4) === 0 ? pick(['-rc.1', '-0', '-a-b']) : ''}`;
    const primitive = () => `${pick(['', '<', '<=', '>', '>=', '=', '~', '~>', '^'])}${pick(['', ' '])}${partial()}`;
    const simple = () => (rnd(4) === 0 ? `${partial()} - ${partial()}` : Array.from({ length: 1 + rnd(3) }, primitive).join(' '));
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      const s = Array.from({ length: 1 + rnd(3) }, simple).join(' || ');
      if (!new RegExp(RANGE).test(s)) continue;
      matched++;
      expect([s, semver.validRange(s) !== null]).toEqual([s, true]);
    }
    expect(matched).toBeGreaterThan(2_000);
  });

  test('LookupName accepts every published name and its other spellings, nothing with control characters', () => {
    for (const n of ['qdrant-adapter', 'Qdrant_Adapter', 'a.b']) expect(ok(LookupName, n)).toBe(true);
    for (const n of ['a\u0000b', '', '/x', 'a b', '.a']) expect(ok(LookupName, n)).toBe(false);
  });

  test('token expiry: RFC 3339 between 1970 and 2999, leap days only in leap years', () => {
    const at = (expires_at: string) => ok(CreateTokenRequest, { name: 'x', scopes: ['read'], expires_at });
    for (const t of ['2027-01-01T00:00:00Z', '2028-02-29T12:00:00.123+02:00', '2000-02-29T00:00:00Z', '1970-01-01T00:00:00Z']) expect([t, at(t)]).toEqual([t, true]);
    for (const t of ['0000-01-01T00:00:00Z', '1969-12-31T00:00:00Z', '3000-01-01T00:00:00Z', '2027-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2027-13-01T00:00:00Z', '2027-01-01']) expect([t, at(t)]).toEqual([t, false]);
  });
});

describe('checkResponse', () => {
  test('names the first wrong field; inside a union, the branch that got furthest', () => {
    expect(checkResponse(SearchResponse, { components: [], next_cursor: null })).toEqual({ ok: true, value: { components: [], next_cursor: null } });
    expect(checkResponse(SearchResponse, null)).toMatchObject({ ok: false, field: '(the whole body)' });
    expect(checkResponse(SearchResponse, { components: [{ name: 'x' }], next_cursor: null })).toMatchObject({ ok: false, field: 'components[0].description' });
    const unresolved = { name: 'x', range: '*', error: { code: 'HSM_ELSE', message: 'm' } };
    expect(checkResponse(ResolveResponse, { components: [unresolved] })).toMatchObject({ ok: false, field: 'components[0].error.code' });
  });
});
