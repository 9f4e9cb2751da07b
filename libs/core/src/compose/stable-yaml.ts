/**
 * Deterministic YAML for generated Compose files. Compose v2 reads YAML with go-yaml (1.2 rules), Compose v1
 * with PyYAML (1.1 rules: `yes`, `on`, `80:22` base-60 …). A plain string that either reader would take for
 * something other than that string is double-quoted, so the file means the same to both.
 */
import { Document, isScalar, parse, visit } from 'yaml';

const STRINGIFY = { indent: 2, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

function readsAsItself(s: string): boolean {
  for (const version of ['1.1', '1.2'] as const) {
    let back: unknown;
    try {
      back = parse(s, { version });
    } catch {
      return false;
    }
    if (back !== s) return false;
  }
  return true;
}

/** `value` as YAML: insertion order kept (callers sort), ambiguous strings quoted, no anchors. */
export function stableYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.2', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.value !== '' && !readsAsItself(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  return doc.toString(STRINGIFY);
}
