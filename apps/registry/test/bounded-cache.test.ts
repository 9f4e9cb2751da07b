import { describe, expect, test } from '@jest/globals';
import { BoundedCache } from '../src/components/bounded-cache.js';

const bytes = (_k: string, v: string) => v.length;

describe('BoundedCache', () => {
  test('keeps within its byte budget, dropping the least recently used first', () => {
    const c = new BoundedCache<string, string>(10, bytes);
    c.set('a', 'xxxx');
    c.set('b', 'xxxx');
    expect(c.get('a')).toBe('xxxx'); // a is now the most recently used
    c.set('c', 'xxxx');
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('xxxx');
    expect(c.get('c')).toBe('xxxx');
    expect(c.bytes).toBe(8);
  });

  test('memory stays flat however many entries are written; replacing and deleting keep the count exact', () => {
    const c = new BoundedCache<string, string>(1000, bytes);
    for (let i = 0; i < 10_000; i++) c.set(`k${i}`, 'x'.repeat(1 + (i % 50)));
    expect(c.bytes).toBeLessThanOrEqual(1000);
    expect(c.size).toBeLessThan(1000);
    c.set('k9999', 'y');
    c.delete('k9998');
    c.deleteWhere((k) => k.endsWith('7'));
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += c.get(`k${i}`)?.length ?? 0;
    expect(c.bytes).toBe(sum);
    // an entry larger than the whole budget is not kept (and evicts nothing)
    c.set('huge', 'x'.repeat(1001));
    expect(c.get('huge')).toBeUndefined();
    expect(c.bytes).toBe(sum);
  });

  test('an entry just set is not the first dropped when every older one was read since (second chance)', () => {
    const c = new BoundedCache<string, string>(12, bytes);
    for (const k of ['a', 'b', 'c']) c.set(k, 'xxxx');
    for (const k of ['a', 'b', 'c']) c.get(k);
    c.set('d', 'xxxx'); // every older entry had its chance: the oldest goes
    expect(['a', 'b', 'c', 'd'].map((k) => c.get(k) !== undefined)).toEqual([false, true, true, true]);
    c.set('e', 'xxxx'); // b, c and d were just read again; e is not dropped for them
    expect(c.get('e')).toBe('xxxx');
    expect(c.bytes).toBe(12);
  });

  test('a handle reads its entry while it is cached, and holds nothing once it is dropped or replaced', () => {
    const c = new BoundedCache<string, string>(8, bytes);
    c.set('a', 'xxxx');
    c.set('b', 'xxxx');
    const a = c.handle('a')!;
    const b = c.handle('b')!;
    expect(c.read(a)).toBe('xxxx');
    c.set('b', 'yyyy'); // replaced
    expect(c.read(b)).toBeUndefined();
    c.set('c', 'zzzz'); // a was read since: b goes
    expect(c.read(a)).toBe('xxxx');
    c.delete('a');
    expect(c.read(a)).toBeUndefined();
    expect(c.handle('nope')).toBeUndefined();
  });
});
