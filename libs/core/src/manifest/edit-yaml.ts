/**
 * Format-preserving edits of hsm.yaml / hsm.local.yaml: each edit is spliced into the original text at the
 * node's source range, so comments, key order, quoting and blank lines outside the edit stay byte-identical.
 * (The yaml Document API alone would re-indent and re-space the whole file.)
 */
import { noteParse } from '../parse-probe.js';
import { parseDocument, isMap, isSeq, isScalar, isPair, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

export type YamlPath = ReadonlyArray<string>;

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}
/** Offset of the line break ending the line at `offset` (before `\r\n` on CRLF files). */
function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  if (i < 0) return text.length;
  return i > 0 && text[i - 1] === '\r' ? i - 1 : i;
}
function stripBreak(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') end--;
  if (end > 0 && text[end - 1] === '\r') end--;
  return end;
}
function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}
function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Indent unit of the document: the smallest positive indent of a block mapping key; default 2. */
function indentUnit(text: string): number {
  let best = Infinity;
  for (const m of text.matchAll(/^( +)[^\s#]/gm)) best = Math.min(best, m[1].length);
  return Number.isFinite(best) ? best : 2;
}

const PLAIN_SAFE = /^[A-Za-z0-9_./][A-Za-z0-9_./@+-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

export function renderScalar(value: unknown, forceQuote = false): string {
  if (typeof value === 'string') {
    if (!forceQuote && PLAIN_SAFE.test(value) && !RESERVED.test(value) && !/^[0-9.+-]+$/.test(value)) return value;
    return JSON.stringify(value);
  }
  if (value === null) return 'null';
  return String(value);
}

/** Inline (flow) rendering: `{}`, `{ mode: dev }`, `[ a, b ]` → `[a, b]`. */
export function renderFlow(value: unknown, quoteKeys: ReadonlySet<string> = new Set()): string {
  if (Array.isArray(value)) return `[${value.map((v) => renderFlow(v, quoteKeys)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${renderScalar(k)}: ${typeof v === 'object' && v !== null ? renderFlow(v, quoteKeys) : renderScalar(v, quoteKeys.has(k))}`).join(', ')} }`;
  }
  return renderScalar(value);
}

/** Block rendering of `key: value` at `indent` spaces; objects nest, arrays and empty objects go inline. */
function renderBlockPair(key: string, value: unknown, indent: number, unit: number, nl: string, quoteKeys: ReadonlySet<string>): string {
  const pad = ' '.repeat(indent);
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    const inner = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => renderBlockPair(k, v, indent + unit, unit, nl, quoteKeys))
      .join(nl);
    return `${pad}${renderScalar(key)}:${nl}${inner}`;
  }
  const rendered = value && typeof value === 'object' ? renderFlow(value, quoteKeys) : renderScalar(value, quoteKeys.has(key));
  return `${pad}${renderScalar(key)}: ${rendered}`;
}

interface Found {
  /** Pairs along the path that exist, outermost first. */
  pairs: Pair<Node, Node | null>[];
  /** The deepest map reached (where the next key would go). */
  map: YAMLMap<Node, Node | null> | null;
}

function walk(contents: Node | null, path: YamlPath): Found {
  const pairs: Pair<Node, Node | null>[] = [];
  let node: Node | null = contents;
  for (const key of path) {
    if (!isMap(node)) return { pairs, map: null };
    const pair = (node.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (!pair) return { pairs, map: node as YAMLMap<Node, Node | null> };
    pairs.push(pair);
    node = pair.value;
  }
  return { pairs, map: null };
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function nestValue(rest: YamlPath, value: unknown): unknown {
  let v = value;
  for (let i = rest.length - 1; i >= 0; i--) v = { [rest[i]]: v };
  return v;
}

/** End offset of the last line occupied by a block map's content (before trailing newline). */
function blockEnd(text: string, map: YAMLMap<Node, Node | null>): number {
  const last = map.items[map.items.length - 1] as Pair<Node, Node | null>;
  const end = last.value?.range ? last.value.range[1] : (last.key as Node).range![1];
  // a trailing comment on the same line belongs to the pair
  if (end > 0 && text[end - 1] === '\n') return stripBreak(text, end);
  return lineEnd(text, Math.max(end - 1, 0));
}

export interface EditOptions {
  /** keys whose string values are always double-quoted (e.g. `version` ranges). */
  quoteKeys?: ReadonlySet<string>;
}

/** Sets `path` to `value`, creating missing maps. Returns the new text. */
export function setIn(text: string, path: YamlPath, value: unknown, options: EditOptions = {}): string {
  return setInDoc(text, parseForEdit(text), path, value, options);
}

function parseForEdit(text: string): Document.Parsed {
  noteParse('yaml-edit');
  return parseDocument(text);
}

function setInDoc(text: string, doc: Document.Parsed, path: YamlPath, value: unknown, options: EditOptions): string {
  const quoteKeys = options.quoteKeys ?? new Set(['version']);
  const nl = eol(text);
  const unit = indentUnit(text);
  const found = walk(doc.contents as Node | null, path);

  if (found.pairs.length === path.length) {
    // the key exists: replace its value
    const pair = found.pairs[found.pairs.length - 1];
    const key = pair.key as Node;
    const val = pair.value;
    const isCollection = value !== null && typeof value === 'object';
    if (val?.range && val.range[1] > val.range[0] && (isScalar(val) || (val as { flow?: boolean }).flow || !isCollection)) {
      if (!isCollection && !isScalar(val) && !(val as { flow?: boolean }).flow) {
        // block collection replaced by a scalar: drop the block lines after the key
        const start = key.range![1];
        const colon = text.indexOf(':', start);
        return splice(text, colon + 1, blockEndOf(text, val), ' ' + renderScalar(value, quoteKeys.has(path[path.length - 1])));
      }
      const rendered = isCollection ? renderFlow(value, quoteKeys) : renderScalar(value, quoteKeys.has(path[path.length - 1]));
      return splice(text, val.range[0], val.range[1], rendered);
    }
    // null / empty value, or a block collection replaced by a collection: re-render after the colon
    const keyCol = columnOf(text, key.range![0]);
    const colon = text.indexOf(':', key.range![1]);
    const end = val?.range && val.range[1] > val.range[0] ? blockEndOf(text, val) : colon + 1;
    if (isCollection && !Array.isArray(value) && Object.keys(value as object).length > 0) {
      const body = renderBlockPair('x', value, keyCol, unit, nl, quoteKeys);
      return splice(text, colon + 1, end, body.slice(body.indexOf(':') + 1));
    }
    return splice(text, colon + 1, end, ' ' + (isCollection ? renderFlow(value, quoteKeys) : renderScalar(value, quoteKeys.has(path[path.length - 1]))));
  }

  const depth = found.pairs.length;
  const rest = path.slice(depth + 1);
  const key = path[depth];
  const v = nestValue(rest, value);
  const parentPair = depth > 0 ? found.pairs[depth - 1] : null;
  const map = found.map;

  if (map && !map.flow && map.items.length > 0) {
    const firstKey = (map.items[0] as Pair<Node, Node | null>).key as Node;
    const col = columnOf(text, firstKey.range![0]);
    const at = blockEnd(text, map as YAMLMap<Node, Node | null>);
    const line = renderBlockPair(key, v, col, unit, nl, quoteKeys);
    return splice(text, at, at, nl + line);
  }
  if (map?.flow && map.items.length === 0 && parentPair && !commentFollows(text, map.range![1])) {
    // `components: {}` grows into a block map, the way people write it by hand
    const keyNode = parentPair.key as Node;
    const col = columnOf(text, keyNode.range![0]);
    const colon = text.indexOf(':', keyNode.range![1]);
    return splice(text, colon + 1, map.range![1], nl + renderBlockPair(key, v, col + unit, unit, nl, quoteKeys));
  }
  if (map?.flow) {
    const obj = { ...(map.toJSON() as Record<string, unknown>), [key]: v };
    return splice(text, map.range![0], map.range![1], renderFlow(obj, quoteKeys));
  }
  if (parentPair) {
    // parent exists but is null/empty (`redis:`) or `{}` handled above: write a block under it
    return setInDoc(text, doc, path.slice(0, depth), { [key]: v }, options);
  }
  // top level, document empty or not a map: append
  const sep = text.length === 0 || text.endsWith('\n') ? '' : nl;
  return text + sep + renderBlockPair(key, v, 0, unit, nl, quoteKeys) + nl;
}

/**
 * A comment after the node on its line (`components: {}   # filled by hsm add`): the value then stays a flow
 * collection, so the comment keeps its place and removing the key again gives back the exact bytes (SPEC §3).
 */
function commentFollows(text: string, end: number): boolean {
  return /^[ \t]*#/.test(text.slice(end, lineEnd(text, end)));
}

function blockEndOf(text: string, node: Node): number {
  const end = node.range![1];
  if (end > 0 && text[end - 1] === '\n') return stripBreak(text, end);
  return lineEnd(text, Math.max(end - 1, 0));
}

/** Removes `path` (a map key). When it was the map's only key the map becomes `{}`. Missing path: no change. */
export function deleteIn(text: string, path: YamlPath): string {
  return deleteInDoc(text, parseForEdit(text), path);
}

function deleteInDoc(text: string, doc: Document.Parsed, path: YamlPath): string {
  const found = walk(doc.contents as Node | null, path);
  if (found.pairs.length !== path.length) return text;
  const pair = found.pairs[path.length - 1];
  const parent = path.length === 1 ? (doc.contents as YAMLMap<Node, Node | null>) : (found.pairs[path.length - 2].value as YAMLMap<Node, Node | null>);
  if (parent.flow) {
    const obj = { ...(parent.toJSON() as Record<string, unknown>) };
    delete obj[path[path.length - 1]];
    return splice(text, parent.range![0], parent.range![1], renderFlow(obj));
  }
  if (parent.items.length === 1 && path.length > 1) {
    const grand = found.pairs[path.length - 2];
    const colon = text.indexOf(':', (grand.key as Node).range![1]);
    // `components:   # note` keeps its note: `components: {}   # note`
    const note = /^[ \t]*#[^\r\n]*/.exec(text.slice(colon + 1))?.[0] ?? '';
    return splice(text, colon + 1, blockEndOf(text, parent), ' {}' + note);
  }
  const start = lineStart(text, (pair.key as Node).range![0]);
  const valueEnd = pair.value?.range && pair.value.range[1] > pair.value.range[0] ? blockEndOf(text, pair.value) : lineEnd(text, (pair.key as Node).range![1]);
  let end = valueEnd;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  if (end === text.length && start > 0 && !text.endsWith('\n')) return text.slice(0, start - 1);
  return splice(text, start, end, '');
}

/** Value at path as plain JS (undefined when missing). */
export function getIn(text: string, path: YamlPath): unknown {
  return getInDoc(parseForEdit(text), path);
}

function getInDoc(doc: Document.Parsed, path: YamlPath): unknown {
  const v = doc.getIn(path as string[], true) as Node | undefined | null;
  if (v === undefined) return undefined;
  if (v === null) return null;
  return isMap(v) || isSeq(v) ? v.toJSON() : isScalar(v) ? v.value : isPair(v) ? undefined : v;
}

/**
 * A run of edits on one YAML text (an edit command's changes to hsm.yaml): it parses only when the text changed
 * since the last parse, and can start from the Document the reader already parsed, so reading the manifest and
 * then setting a key costs one parse, not one per getIn/setIn.
 */
export class YamlEdit {
  private doc: Document.Parsed | null;

  constructor(
    public text: string,
    parsed?: Document.Parsed,
  ) {
    this.doc = parsed ?? null;
  }

  private parsed(): Document.Parsed {
    return (this.doc ??= parseForEdit(this.text));
  }

  get(path: YamlPath): unknown {
    return getInDoc(this.parsed(), path);
  }

  set(path: YamlPath, value: unknown, options: EditOptions = {}): void {
    this.replace(setInDoc(this.text, this.parsed(), path, value, options));
  }

  delete(path: YamlPath): void {
    this.replace(deleteInDoc(this.text, this.parsed(), path));
  }

  private replace(text: string): void {
    if (text === this.text) return;
    this.text = text;
    this.doc = null;
  }
}
