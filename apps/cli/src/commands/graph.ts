/**
 * `hsm graph`: the resolved stack as Mermaid (default), DOT, JSON or SVG. Reads and resolves through the pipeline's
 * `inspectProject` like `hsm why` (lock kept, nothing written but `--output`); the renderers are pure
 * (libs/core/src/graph). SVG needs Graphviz in WebAssembly, which is imported only when SVG is asked for.
 */
import { resolve as resolvePath, extname } from 'node:path';
import { HsmError, ErrorCodes, configureComponents, buildStackGraph, renderMermaid, renderDot, renderGraphJson, renderSvg, didYouMean } from '@hsm/core';
import { findProjectDir, inspectProject, writeFileDurable } from '@hsm/host';
import type { Command } from '../commands.js';
import { builtinRegistry } from '../catalog.js';
import { reporter } from '../pipeline.js';
import { bundledSchemaDir } from '../schema-dir.js';

const FORMATS = ['mermaid', 'dot', 'json', 'svg'] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot', '.json': 'json', '.mmd': 'mermaid', '.mermaid': 'mermaid' };

/** `--format` wins; else the output file's extension; else Mermaid. */
function graphFormat(format: unknown, output: unknown): Format {
  if (typeof format === 'string') {
    if ((FORMATS as readonly string[]).includes(format)) return format as Format;
    throw new HsmError(ErrorCodes.USAGE, `unknown graph format \`${format}\`${didYouMean(format, [...FORMATS])}`, { hint: `use one of: ${FORMATS.join(', ')}` });
  }
  if (typeof output === 'string') return BY_EXTENSION[extname(output).toLowerCase()] ?? 'mermaid';
  return 'mermaid';
}

export const graph: Command = async (ctx) => {
  const format = graphFormat(ctx.values.format, ctx.values.output);
  const project = await inspectProject(findProjectDir(ctx.cwd), reporter(ctx.out), {
    command: 'graph',
    waitSeconds: ctx.waitSeconds,
    builtin: builtinRegistry,
    offline: Boolean(ctx.values.offline),
    schemaDir: bundledSchemaDir(),
  });
  // drawn from the definitions as the stack runs them: option values (hsm.yaml < hsm.local.yaml) filled in
  const components = configureComponents({
    components: project.resolution.components,
    manifest: project.manifest,
    overlay: project.overlay,
    manifestText: project.manifestText,
    overlayText: project.overlayText,
  });
  const resolution = { ...project.resolution, components };
  const g = buildStackGraph({ name: project.manifest.name, resolution, groups: project.manifest.groups });
  const text = format === 'mermaid' ? renderMermaid(g) : format === 'dot' ? renderDot(g) : format === 'json' ? renderGraphJson(g) : await renderSvg(renderDot(g));
  const output = ctx.values.output;
  if (typeof output !== 'string') return { data: g, text };
  const target = resolvePath(ctx.cwd, output);
  try {
    await writeFileDurable(target, { bytes: Buffer.from(text, 'utf8') });
  } catch (e) {
    throw new HsmError(ErrorCodes.IO, `cannot write ${output}: ${(e as Error).message}`, { hint: 'check that the folder exists and is writable', cause: e });
  }
  ctx.out.log(`wrote ${output} (${format}, ${g.components.length} component${g.components.length === 1 ? '' : 's'})`);
  return { data: { output: target, format, components: g.components.length } };
};
