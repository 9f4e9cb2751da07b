/**
 * A stack graph as Graphviz DOT (`hsm graph --format dot`, and the input of `--output stack.svg`): interface
 * groups as clusters, a box per component, a cylinder per Compose service with its host ports, `requires` edges.
 */
import type { GraphComponent, StackGraph } from './stack-graph.js';
import { DOT_STYLE, dotAttributes, dotLines, dotString } from './dot-text.js';

const componentId = (name: string): string => dotString(`component:${name}`);

function componentNode(c: GraphComponent, indent: string): string {
  const lines = [`${c.name} ${c.version}`, c.mode === 'dev' ? 'dev (local checkout)' : 'prod'];
  if (c.python) lines.push(c.pythonOnly ? `python only: ${c.python}` : `python: ${c.python}`);
  const attrs = {
    label: dotLines(lines),
    tooltip: `${c.name} ${c.version} from registry ${c.registry}`,
    fillcolor: c.pythonOnly ? '#fff4c2' : undefined,
    style: c.mode === 'dev' ? 'rounded,filled,dashed,bold' : undefined,
    class: [c.mode === 'dev' ? 'dev' : 'prod', c.pythonOnly ? 'python-only' : ''].filter(Boolean).join(' '),
  };
  return `${indent}${componentId(c.name)}${dotAttributes(attrs)};`;
}

export function renderDot(graph: StackGraph): string {
  const out: string[] = [`digraph ${dotString(graph.name)} {`, ...DOT_STYLE, `  label=${dotString(`stack ${graph.name}`)}; labelloc=t;`];
  graph.groups.forEach((g, i) => {
    const members = graph.components.filter((c) => c.group === g.interface);
    out.push(`  subgraph ${dotString(`cluster_${i}`)} {`);
    out.push(`    label=${dotString(`interface ${g.interface}${g.policy ? ` (${g.policy})` : ''}`)}; style="rounded,dashed"; color="#7a869a"; fontcolor="#2d3748";`);
    for (const c of members) out.push(componentNode(c, '    '));
    out.push('  }');
  });
  for (const c of graph.components) if (c.group === null) out.push(componentNode(c, '  '));
  for (const c of graph.components) {
    for (const s of c.services) {
      const id = dotString(`service:${s.name}`);
      const lines = [s.name, s.image ?? 'built from checkout', ...s.ports.map((p) => `port ${p}`)];
      out.push(`  ${id}${dotAttributes({ label: dotLines(lines), shape: 'cylinder', style: 'filled', fillcolor: '#e8f1fb', color: '#2f6db5', class: 'service' })};`);
      out.push(`  ${componentId(c.name)} -> ${id}${dotAttributes({ style: 'dashed', arrowhead: 'none', color: '#2f6db5' })};`);
    }
  }
  for (const e of graph.edges) {
    const text = e.interface ?? e.range;
    out.push(`  ${componentId(e.from)} -> ${componentId(e.to)}${dotAttributes({ label: text })};`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}
