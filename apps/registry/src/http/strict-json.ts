/**
 * A JSON parser that refuses what `JSON.parse` would silently alter or what PostgreSQL cannot store (issue 10
 * items 1, 2, 9): invalid UTF-8 (JSON.parse sees U+FFFD), duplicate keys (last one wins), `__proto__` keys
 * (dropped when the value is copied), numbers beyond a double (`1e400` → Infinity → `null`), NUL characters and
 * lone surrogates (refused by JSONB), and nesting deeper than `maxDepth` (stack overflow in recursive code
 * downstream). Every refusal is an HsmError naming the problem and its position.
 */
import { ErrorCodes, HsmError } from '@hsm/core';

export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseStrictJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalid('body is not valid UTF-8');
  }
  return new Parser(text, maxDepth).document();
}

function invalid(message: string): HsmError {
  return new HsmError(ErrorCodes.REQUEST_INVALID, message);
}

class Parser {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {}

  document(): unknown {
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(what: string): never {
    throw invalid(`body is not valid JSON: ${what} at position ${this.i}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  private value(depth: number): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '{' || c === '[') {
      if (depth >= this.maxDepth) throw invalid(`body is nested too deep (more than ${this.maxDepth} levels) at position ${this.i}`);
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    if (c === 't' || c === 'f' || c === 'n') return this.literal();
    return this.number();
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++; // {
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a key');
      const at = this.i;
      const key = this.string();
      if (key === '__proto__') throw invalid(`body: the key \`__proto__\` is not allowed (position ${at})`);
      // an own property of `out` is a key met before (`__proto__`, the one key that is not, is refused above)
      if (Object.hasOwn(out, key)) throw invalid(`body: duplicate key \`${key}\` at position ${at}`);
      this.ws();
      if (this.s[this.i] !== ':') this.fail('expected `:`');
      this.i++;
      out[key] = this.value(depth);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected `,` or `}`');
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++; // [
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected `,` or `]`');
    }
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    let out = '';
    let from = ++this.i;
    for (;;) {
      if (this.i >= s.length) {
        this.i = start;
        this.fail('unterminated string');
      }
      const c = s.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in a string');
      if (c >= 0xd800 && c <= 0xdfff) this.surrogate(c, s.charCodeAt(this.i + 1));
      if (c !== 0x5c) {
        this.i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        continue;
      }
      out += s.slice(from, this.i);
      const e = s[this.i + 1];
      this.i += 2;
      if (e === 'u') {
        const code = this.hex4();
        if (code === 0) throw invalid(`body: a string holds a NUL character (\\u0000) at position ${this.i - 6}`);
        if (code >= 0xd800 && code <= 0xdbff) {
          if (s[this.i] !== '\\' || s[this.i + 1] !== 'u') throw invalid(`body: a string holds a lone surrogate at position ${this.i - 6}`);
          this.i += 2;
          const low = this.hex4();
          if (low < 0xdc00 || low > 0xdfff) throw invalid(`body: a string holds a lone surrogate at position ${this.i - 12}`);
          out += String.fromCharCode(code, low);
        } else if (code >= 0xdc00 && code <= 0xdfff) {
          throw invalid(`body: a string holds a lone surrogate at position ${this.i - 6}`);
        } else out += String.fromCharCode(code);
      } else {
        const m = ESCAPES[e];
        if (m === undefined) this.fail('invalid escape in a string');
        out += m;
      }
      from = this.i;
    }
    out += s.slice(from, this.i);
    this.i++; // closing quote
    return out;
  }

  /** Raw UTF-16 surrogates come only from valid UTF-8 as pairs; checked anyway so the rule has one place. */
  private surrogate(c: number, next: number): void {
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return;
    throw invalid(`body: a string holds a lone surrogate at position ${this.i}`);
  }

  private hex4(): number {
    const h = this.s.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape');
    this.i += 4;
    return parseInt(h, 16);
  }

  private literal(): boolean | null {
    for (const [word, value] of LITERALS) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
    }
    this.fail('unexpected token');
  }

  private number(): number {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail(this.i >= this.s.length ? 'unexpected end' : 'unexpected token');
    const n = Number(m[0]);
    if (!Number.isFinite(n)) throw invalid(`body: the number ${m[0].slice(0, 40)} at position ${this.i} is too large`);
    this.i += m[0].length;
    return n;
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LITERALS: [string, boolean | null][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
