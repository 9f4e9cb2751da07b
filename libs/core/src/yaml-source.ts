/**
 * Safe YAML parsing of untrusted text (manifests, definitions): size-limited, aliases bounded, no tags that
 * construct objects, nesting depth bounded, duplicate keys rejected. Keeps the document so errors can point
 * at a line and column.
 */
import { noteParse } from './parse-probe.js';
import { Document, LineCounter, parseDocument, isNode, type Node } from 'yaml';
import { HsmError, ErrorCodes, type ErrorCode } from './errors.js';

export const YAML_LIMITS = { maxBytes: 1024 * 1024, maxAliases: 64, maxDepth: 64 } as const;

export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

export function parseYamlSource(file: string, text: string, code: ErrorCode = ErrorCodes.MANIFEST_INVALID): YamlSource {
  if (text.length > YAML_LIMITS.maxBytes) {
    throw new HsmError(ErrorCodes.YAML_TOO_COMPLEX, `${file} is larger than ${YAML_LIMITS.maxBytes} bytes`, {
      hint: 'hsm files are small; check that the right file was given',
    });
  }
  const lines = new LineCounter();
  noteParse(file);
  const doc = parseDocument(text, {
    lineCounter: lines,
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    customTags: [],
    resolveKnownTags: false,
  });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    throw new HsmError(ErrorCodes.YAML_SYNTAX, firstLine(err.message), {
      location: `${file}:${pos.line}:${pos.col}`,
      hint: `fix the YAML syntax in ${file}`,
    });
  }
  for (const w of doc.warnings) {
    // Unknown tags (e.g. !!python/object) are warnings in `yaml`; for untrusted input they are errors.
    if (w.code === 'TAG_RESOLVE_FAILED') {
      const pos = lines.linePos(w.pos[0]);
      throw new HsmError(code, 'YAML tags are not allowed here', {
        location: `${file}:${pos.line}:${pos.col}`,
        hint: 'remove the `!tag`; hsm files are plain YAML',
      });
    }
  }
  checkDepth(doc.contents, 0, file, lines);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliases });
  } catch (e) {
    throw new HsmError(ErrorCodes.YAML_TOO_COMPLEX, `${file}: too many YAML aliases (${firstLine(String((e as Error).message))})`, {
      hint: 'expand the anchors by hand; hsm bounds alias use to stop "billion laughs" documents',
    });
  }
  return { file, text, doc, lines, value };
}

function checkDepth(node: unknown, depth: number, file: string, lines: LineCounter): void {
  if (!node || typeof node !== 'object') return;
  if (depth > YAML_LIMITS.maxDepth) {
    const range = (node as Node).range;
    const pos = range ? lines.linePos(range[0]) : { line: 1, col: 1 };
    throw new HsmError(ErrorCodes.YAML_TOO_COMPLEX, `nesting deeper than ${YAML_LIMITS.maxDepth} levels`, {
      location: `${file}:${pos.line}:${pos.col}`,
      hint: 'hsm files are shallow; check the indentation',
    });
  }
  const items = (node as { items?: unknown[] }).items;
  if (Array.isArray(items)) {
    for (const item of items) {
      if (item && typeof item === 'object' && 'key' in (item as object)) {
        checkDepth((item as { value: unknown }).value, depth + 1, file, lines);
      } else {
        checkDepth(item, depth + 1, file, lines);
      }
    }
  }
}

/** `file:line:col` of the node at `path`, or of its nearest existing parent. */
export function locate(src: YamlSource, path: ReadonlyArray<PropertyKey>, wantKey = false): string {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n) as (string | number)[];
    let node: unknown = n === 0 ? src.doc.contents : src.doc.getIn(sub, true);
    if (wantKey && n === path.length && n > 0) {
      const parent = n === 1 ? src.doc.contents : src.doc.getIn(sub.slice(0, -1), true);
      const pair = (parent as { items?: Array<{ key: unknown }> })?.items?.find((p) => p && typeof p === 'object' && isNode(p.key) && (p.key as { value?: unknown }).value === sub[n - 1]);
      if (pair) node = pair.key;
    }
    const range = isNode(node) ? node.range : undefined;
    if (range) {
      const pos = src.lines.linePos(range[0]);
      return `${src.file}:${pos.line}:${pos.col}`;
    }
  }
  return `${src.file}:1:1`;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
