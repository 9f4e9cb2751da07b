/**
 * `compose.link: include` (SPEC §6.2): lists the generated file in the top-level `include:` of the user's compose
 * file. The edit is spliced into the original text at the YAML node's source range — the Document API would
 * reformat the user's file — so every other byte (comments, anchors, quoting, order) stays as it was, and
 * removing the entry again gives back the exact original bytes.
 *
 * hsm creates `include:` as a block sequence right before the first top-level key; when the entry it removes is
 * the only one left, the whole `include:` key goes with it.
 */
import { posix } from 'node:path';
import { noteParse } from '../parse-probe.js';
import { parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Pair, type YAMLSeq, type Node } from 'yaml';
import { HsmError, ErrorCodes } from '../errors.js';

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Position just past the newline that ends the line holding `pos` (or the text's end). */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl + 1;
}

/** Past the newline that ends the last line with content before `pos` (ranges may run on over blank lines). */
function endOfContent(text: string, pos: number): number {
  let p = pos;
  while (p > 0 && /\s/.test(text[p - 1])) p--;
  return lineEnd(text, Math.max(p - 1, 0));
}

function entryPaths(item: unknown): string[] {
  if (isScalar(item)) return typeof item.value === 'string' ? [item.value] : [];
  if (isMap(item)) {
    const p = item.get('path', true);
    if (isScalar(p) && typeof p.value === 'string') return [p.value];
    if (isSeq(p)) return p.items.flatMap((x) => (isScalar(x) && typeof x.value === 'string' ? [x.value] : []));
  }
  return [];
}

function sameFile(a: string, b: string): boolean {
  return posix.normalize(a) === posix.normalize(b);
}

function parse(userText: string, file: string, parsed?: Document.Parsed) {
  if (!parsed) noteParse(file);
  const doc = parsed ?? parseDocument(userText, { merge: true, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new HsmError(ErrorCodes.COMPOSE_INVALID, `${file} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, {
      hint: `fix ${file}, or set \`compose.link: env\` in hsm.yaml`,
    });
  }
  const root = doc.contents;
  if (root !== null && !(isMap(root) && !root.flow)) {
    throw new HsmError(ErrorCodes.COMPOSE_INVALID, `${file} is not a block mapping at the top level; hsm cannot add an include to it`, {
      hint: 'set `compose.link: env` (or `none`) in hsm.yaml',
    });
  }
  const include = root ? (root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'include') as Pair<Node, Node> | undefined) : undefined;
  return { root, include };
}

/** The indentation the file uses for nested blocks (two spaces when it has none). */
function detectIndent(text: string, root: unknown): string {
  if (isMap(root)) {
    for (const pair of root.items) {
      const v = isPair(pair) ? pair.value : null;
      if ((isMap(v) || isSeq(v)) && !v.flow && v.range) {
        const start = lineStart(text, v.range[0]);
        const indent = text.slice(start, v.range[0]);
        if (/^ +$/.test(indent)) return indent;
      }
    }
  }
  return '  ';
}

/**
 * `userText` with `generatedFile` listed in its top-level `include:` (present=true) or without hsm's entry
 * (present=false). Idempotent; returns `userText` itself when nothing needs to change.
 */
export function linkComposeInclude(userText: string, generatedFile: string, present: boolean, file = 'docker-compose.yml', parsed?: Document.Parsed): string {
  const { root, include } = parse(userText, file, parsed);
  const nl = userText.includes('\r\n') ? '\r\n' : '\n';
  const seq = include && isSeq(include.value) ? (include.value as YAMLSeq<Node>) : null;
  const ours = seq ? seq.items.findIndex((item) => entryPaths(item).some((p) => sameFile(p, generatedFile))) : -1;

  if (present) {
    if (ours >= 0) return userText;
    if (!include) {
      const entry = `include:${nl}${detectIndent(userText, root)}- ${generatedFile}${nl}`;
      const first = isMap(root) ? root.items[0] : undefined;
      const keyStart = first && isPair(first) && isScalar(first.key) && first.key.range ? lineStart(userText, first.key.range[0]) : null;
      if (keyStart === null) {
        const sep = userText === '' || userText.endsWith('\n') ? '' : nl;
        return userText + sep + entry;
      }
      return userText.slice(0, keyStart) + entry + userText.slice(keyStart);
    }
    if (!seq) {
      const v = include.value;
      if (v === null || (isScalar(v) && v.value === null)) {
        // `include:` with nothing after it: put the entry on the next line.
        const at = lineEnd(userText, (include.key as Node).range![1]);
        const keyIndent = userText.slice(lineStart(userText, (include.key as Node).range![0]), (include.key as Node).range![0]);
        const sep = at === userText.length && !userText.endsWith('\n') ? nl : '';
        return userText.slice(0, at) + sep + `${keyIndent}${detectIndent(userText, root)}- ${generatedFile}${nl}` + userText.slice(at);
      }
      throw new HsmError(ErrorCodes.COMPOSE_INVALID, `\`include\` in ${file} is not a list`, { hint: `make \`include:\` a list in ${file}` });
    }
    if (seq.flow) {
      const close = userText.lastIndexOf(']', seq.range![1] - 1);
      const text = seq.items.length === 0 ? generatedFile : `, ${generatedFile}`;
      return userText.slice(0, close) + text + userText.slice(close);
    }
    const last = seq.items[seq.items.length - 1];
    const itemIndent = userText.slice(lineStart(userText, seq.range![0]), seq.range![0]);
    const at = endOfContent(userText, Math.max(seq.range![1], last?.range?.[1] ?? 0));
    if (at === userText.length && !userText.endsWith('\n')) {
      return `${userText}${nl}${itemIndent}- ${generatedFile}`;
    }
    return userText.slice(0, at) + `${itemIndent}- ${generatedFile}${nl}` + userText.slice(at);
  }

  if (!seq || ours < 0) return userText;
  const item = seq.items[ours];
  if (seq.flow) {
    const start = item.range![0];
    const end = item.range![1];
    if (seq.items.length === 1) return userText.slice(0, start) + userText.slice(end);
    if (ours > 0) {
      const prevEnd = seq.items[ours - 1].range![1];
      return userText.slice(0, prevEnd) + userText.slice(end);
    }
    const nextStart = seq.items[1].range![0];
    return userText.slice(0, start) + userText.slice(nextStart);
  }
  if (seq.items.length === 1) {
    // hsm's entry was the only one: drop the whole `include:` key, as hsm created it.
    const start = lineStart(userText, (include!.key as Node).range![0]);
    const end = endOfContent(userText, seq.range![1]);
    return userText.slice(0, start) + userText.slice(end);
  }
  const start = lineStart(userText, item.range![0]);
  const end = endOfContent(userText, item.range![1]);
  if (end === userText.length && !userText.endsWith('\n')) {
    // Added at the end of a file without a final newline: take the newline hsm put before it.
    const cut = userText.slice(0, start).endsWith('\r\n') ? 2 : 1;
    return userText.slice(0, start - cut);
  }
  return userText.slice(0, start) + userText.slice(end);
}
