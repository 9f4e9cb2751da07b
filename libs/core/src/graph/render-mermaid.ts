/**
 * A stack graph as a Mermaid flowchart (GitHub renders it inside a ```mermaid block): one subgraph per interface
 * group, a node per component ("name version", its mode and Python package), a cylinder per Compose service with
 * its host ports, `requires` as arrows. Python-only components and dev-mode components carry a class.
 */
import type { GraphComponent, StackGraph } from './stack-graph.js';

/** Mermaid node ids: component names are `[a-z0-9-]`, so `-` → `_` cannot collide. */
const componentId = (name: string): string => `c_${name.replace(/-/g, '_')}`;
const groupId = (name: string): string => `g_${name.replace(/-/g, '_')}`;

/** Label text (`["…"]`, `|…|`): Mermaid's entity codes for the characters that would end or break it. */
function label(text: string): string {
  return text.replace(/#/g, '#35;').replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\|/g, '#124;');
}

function componentLabel(c: GraphComponent): string {
  const lines = [`${c.name} ${c.version}`, c.mode === 'dev' ? 'dev (local checkout)' : 'prod'];
  if (c.python) lines.push(c.pythonOnly ? `python only: ${c.python}` : `python: ${c.python}`);
  return lines.map(label).join('<br/>');
}

export function renderMermaid(graph: StackGraph): string {
  const out: string[] = ['flowchart LR'];
  const node = (c: GraphComponent, indent: string) => out.push(`${indent}${componentId(c.name)}["${componentLabel(c)}"]`);
  for (const g of graph.groups) {
    const members = graph.components.filter((c) => c.group === g.interface);
    const policy = g.policy ? ` (${g.policy})` : '';
    out.push(`  subgraph ${groupId(g.interface)}["${label(`interface ${g.interface}${policy}`)}"]`);
    for (const c of members) node(c, '    ');
    out.push('  end');
  }
  for (const c of graph.components) if (c.group === null) node(c, '  ');
  let serviceIndex = 0;
  const serviceLinks: string[] = [];
  for (const c of graph.components) {
    for (const s of c.services) {
      const id = `s${serviceIndex++}`;
      const detail = [s.image ?? 'built from checkout', ...s.ports.map((p) => `port ${p}`)];
      out.push(`  ${id}[("${[s.name, ...detail].map(label).join('<br/>')}")]`);
      serviceLinks.push(`  ${componentId(c.name)} -.- ${id}`);
    }
  }
  out.push(...serviceLinks);
  for (const e of graph.edges) {
    const text = e.interface ?? e.range;
    out.push(`  ${componentId(e.from)} -->${text ? `|${label(text)}|` : ''} ${componentId(e.to)}`);
  }
  const dev = graph.components.filter((c) => c.mode === 'dev').map((c) => componentId(c.name));
  const python = graph.components.filter((c) => c.pythonOnly).map((c) => componentId(c.name));
  out.push('  classDef dev stroke-dasharray: 5 3,stroke-width:2px');
  out.push('  classDef python fill:#fff4c2,stroke:#a07c00');
  out.push('  classDef service fill:#e8f1fb,stroke:#2f6db5');
  if (dev.length) out.push(`  class ${dev.join(',')} dev`);
  if (python.length) out.push(`  class ${python.join(',')} python`);
  if (serviceIndex) out.push(`  class ${Array.from({ length: serviceIndex }, (_, i) => `s${i}`).join(',')} service`);
  return out.join('\n') + '\n';
}
