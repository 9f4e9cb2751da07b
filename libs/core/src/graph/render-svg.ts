/**
 * DOT → SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`): no native binary, works offline. Pure
 * computation, but the module is ~2 MB, so it is imported on first use only (`hsm graph --output x.svg`, the
 * registry's component pages), never on a start-up path.
 */
import { ErrorCodes, HsmError } from '../errors.js';

type Viz = { render(dot: string, options: { format: string }): { status: string; output?: string; errors: { level?: string; message: string }[] } };
let viz: Promise<Viz> | undefined;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance() as Promise<Viz>);
  const r = (await viz).render(dot, { format: 'svg' });
  if (r.status !== 'success' || r.output === undefined) {
    throw new HsmError(ErrorCodes.INTERNAL, `Graphviz could not render the graph: ${r.errors.map((e) => e.message).join('; ')}`, {
      hint: 'this is a bug in hsm; please report it with `hsm graph --format dot`',
    });
  }
  return r.output;
}

/** The `<svg>` element alone (no XML prolog, DOCTYPE or comments), for inlining into an HTML page. */
export function svgElement(svg: string): string {
  const start = svg.indexOf('<svg');
  return start < 0 ? svg : svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '');
}
