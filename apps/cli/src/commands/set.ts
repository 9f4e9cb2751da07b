/**
 * `hsm set NAME KEY=VALUE… [--local]` and `hsm set NAME KEY… --unset` (issue 11): edits `components.NAME.with` in
 * hsm.yaml (or the personal hsm.local.yaml with `--local`) in place, comments kept, then syncs — one transaction,
 * so a value the component refuses is an HSM_OPTION_INVALID naming file:line:col, and nothing is written.
 * `hsm add NAME --with KEY=VALUE` shares the parsing.
 */
import { HsmError, ErrorCodes, setIn, deleteIn, getIn, coerceCommandLineValue, type OptionValue, type ComponentDefinition } from '@hsm/core';
import type { Command, CommandContext } from '../commands.js';
import { findProjectDir } from '../project.js';
import { resolveProject, type SyncOptions } from '../sync-engine.js';
import { editAndSync, checkName, OVERLAY_HEADER } from './edit.js';

/** `KEY=VALUE` → [key, raw text]; the value may itself contain `=`. */
export function parseAssignment(text: string, command: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new HsmError(ErrorCodes.USAGE, `\`${text}\` is not KEY=VALUE`, { hint: `e.g. \`hsm ${command} port=5433\`` });
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * Command-line text typed by the option's declared type (`port=5433` → 5433, never "5433"). A value that does
 * not convert, or a key the component does not declare, is written as given: the planner then reports it with
 * the same HSM_OPTION_INVALID (file:line:col, did-you-mean, allowed values) as a hand-written hsm.yaml.
 */
export function typedValues(definition: ComponentDefinition | undefined, pairs: [string, string][]): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const [key, text] of pairs) {
    const spec = definition?.options?.[key];
    out[key] = (spec ? coerceCommandLineValue(spec.type, text) : null) ?? text;
  }
  return out;
}

/** The definition `name` resolves to once `edit` is applied (the component must end up in the stack). */
export async function definitionAfter(ctx: CommandContext, name: string, edit?: SyncOptions['edit']): Promise<ComponentDefinition> {
  const { resolution } = await resolveProject(findProjectDir(ctx.cwd), ctx.out, { edit, offline: Boolean(ctx.values.offline) });
  const c = resolution.components.find((x) => x.name === name);
  if (!c) throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in the stack`, { hint: `add it first: \`hsm add ${name} --with KEY=VALUE\`` });
  return c.definition;
}

/** Writes `values` under `components.NAME.with` of one file's text. */
export function writeWith(text: string, name: string, values: Record<string, OptionValue>): string {
  for (const [key, value] of Object.entries(values)) text = setIn(text, ['components', name, 'with', key], value);
  return text;
}

const isEmpty = (v: unknown) => v === null || (typeof v === 'object' && Object.keys(v as object).length === 0);

/** Removes keys from `components.NAME.with`; an emptied `with` goes too, and in the overlay an emptied entry. */
function unsetWith(text: string, name: string, keys: string[], overlay: boolean): string {
  for (const key of keys) text = deleteIn(text, ['components', name, 'with', key]);
  if (isEmpty(getIn(text, ['components', name, 'with']))) text = deleteIn(text, ['components', name, 'with']);
  if (overlay && isEmpty(getIn(text, ['components', name]))) text = deleteIn(text, ['components', name]);
  return text;
}

export const set: Command = async (ctx) => {
  const [name, ...rest] = ctx.positionals;
  checkName(name);
  const local = Boolean(ctx.values.local);
  const file = local ? 'hsm.local.yaml' : 'hsm.yaml';
  let edit: SyncOptions['edit'];
  if (ctx.values.unset) {
    const keys = rest.map((k) => (k.includes('=') ? k.slice(0, k.indexOf('=')) : k));
    edit = ({ manifest, overlay }) => {
      const text = local ? overlay : manifest;
      const missing = keys.filter((k) => text === null || getIn(text, ['components', name, 'with', k]) === undefined);
      if (missing.length) {
        throw new HsmError(ErrorCodes.USAGE, `${file} sets no option \`${missing[0]}\` for ${name}`, { hint: local ? `without --local, \`hsm set ${name} ${missing[0]} --unset\` edits hsm.yaml` : `with --local, \`hsm set ${name} ${missing[0]} --unset --local\` edits hsm.local.yaml` });
      }
      return local ? { manifest, overlay: unsetWith(overlay!, name, keys, true) } : { manifest: unsetWith(manifest, name, keys, false), overlay };
    };
  } else {
    const pairs = rest.map((a) => parseAssignment(a, `set ${name}`));
    const values = typedValues(await definitionAfter(ctx, name), pairs);
    edit = ({ manifest, overlay }) => (local ? { manifest, overlay: writeWith(overlay ?? OVERLAY_HEADER, name, values) } : { manifest: writeWith(manifest, name, values), overlay });
  }
  return editAndSync(ctx, 'set', edit);
};
