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
});
