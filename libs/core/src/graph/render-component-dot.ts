/**
 * The registry's dependency picture of one component version: the component, what it requires (components with
 * their ranges, interfaces with the implementations the registry offers for them) and what it conflicts with.
 * Nodes link to their pages, so the server-rendered SVG is navigable without any script.
 */
import type { Requirement } from '../schema/definition.js';
import { parseComponentRequirement } from '../schema/definition.js';
import { DOT_STYLE, dotAttributes, dotLines, dotString } from './dot-text.js';

export interface ComponentPictureInput {
  name: string;
  version: string;
  requires: Requirement[];
  conflicts: string[];
  /** interface → the components that provide it (the required interfaces' candidates). */
  implementations: Record<string, string[]>;
  /** Page addresses (relative URLs) of a component and an interface. */
  links: { component(name: string): string; interface(name: string): string };
  /** At most this many implementations are drawn per interface; the rest are counted in one node. */
  maxImplementations?: number;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function renderComponentDot(input: ComponentPictureInput): string {
  const max = input.maxImplementations ?? 8;
  const self = dotString(`component:${input.name}`);
  const out: string[] = ['digraph "dependencies" {', ...DOT_STYLE];
  out.push(`  ${self}${dotAttributes({ label: dotLines([input.name, input.version]), fillcolor: '#1f4e8c', fontcolor: '#ffffff', color: '#1f4e8c', class: 'self', href: input.links.component(input.name) })};`);
  const components = new Set<string>();
  const componentNode = (name: string) => {
    if (components.has(name) || name === input.name) return;
    components.add(name);
    out.push(`  ${dotString(`component:${name}`)}${dotAttributes({ label: name, href: input.links.component(name), class: 'component' })};`);
  };
  const requires = [...input.requires].sort((a, b) => byString(requirementKey(a), requirementKey(b)));
  for (const r of requires) {
    if (typeof r === 'string') {
      const { name, range } = parseComponentRequirement(r);
      componentNode(name);
      out.push(`  ${self} -> ${dotString(`component:${name}`)}${dotAttributes({ label: range === '*' ? undefined : range })};`);
      continue;
    }
    const id = dotString(`interface:${r.interface}`);
    out.push(`  ${id}${dotAttributes({ label: `interface ${r.interface}`, shape: 'hexagon', style: 'filled', fillcolor: '#eef6ee', color: '#2f7d32', href: input.links.interface(r.interface), class: 'interface' })};`);
    out.push(`  ${self} -> ${id};`);
    const impls = [...(input.implementations[r.interface] ?? [])].sort(byString);
    for (const m of impls.slice(0, max)) {
      componentNode(m);
      out.push(`  ${id} -> ${dotString(`component:${m}`)}${dotAttributes({ style: 'dashed', arrowhead: 'empty', color: '#2f7d32' })};`);
    }
    if (impls.length > max) {
      const more = dotString(`more:${r.interface}`);
      out.push(`  ${more}${dotAttributes({ label: `${impls.length - max} more`, shape: 'plain', href: input.links.interface(r.interface) })};`);
      out.push(`  ${id} -> ${more}${dotAttributes({ style: 'dashed', arrowhead: 'empty', color: '#2f7d32' })};`);
    }
    if (impls.length === 0) {
      const none = dotString(`none:${r.interface}`);
      out.push(`  ${none}${dotAttributes({ label: 'no implementation yet', shape: 'plain', fontcolor: '#9b2c2c' })};`);
      out.push(`  ${id} -> ${none}${dotAttributes({ style: 'dotted', arrowhead: 'none' })};`);
    }
  }
  for (const c of [...input.conflicts].sort(byString)) {
    componentNode(c);
    out.push(`  ${self} -> ${dotString(`component:${c}`)}${dotAttributes({ label: 'conflicts', style: 'dotted', color: '#9b2c2c', fontcolor: '#9b2c2c', arrowhead: 'tee' })};`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function requirementKey(r: Requirement): string {
  return typeof r === 'string' ? `c:${r}` : `i:${r.interface}`;
}
