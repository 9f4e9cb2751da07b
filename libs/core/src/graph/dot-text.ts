/** Graphviz DOT quoting: every id and label is a double-quoted string, so only `"`, `\` and newlines need care. */

/** A quoted DOT string. Backslashes are doubled, so Graphviz's `\N`, `\l`… escapes never fire from data. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** A label of several lines (centred). */
export function dotLines(lines: string[]): string {
  return `"${lines.map((l) => dotString(l).slice(1, -1)).join('\\n')}"`;
}

/** `[k=v, …]` with every value quoted, keys in the given order. */
export function dotAttributes(attrs: Record<string, string | undefined>): string {
  const parts = Object.entries(attrs)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v.startsWith('"') ? v : dotString(v)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** Shared look of every hsm graph. */
export const DOT_STYLE = [
  '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.6, bgcolor="transparent"];',
  '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#4a5568", fontname="Helvetica", fontsize=11, margin="0.15,0.06"];',
  '  edge [color="#4a5568", fontname="Helvetica", fontsize=10, arrowsize=0.7];',
];
