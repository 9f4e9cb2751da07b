/**
 * `hsm set NAME KEY=VALUE… [--local]` and `hsm set NAME KEY… --unset` (issue 11): edits `components.NAME.with` in
 * hsm.yaml (or the personal hsm.local.yaml with `--local`) in place, comments kept, then syncs — one transaction,
 * so a value the component refuses is an HSM_OPTION_INVALID naming file:line:col, and nothing is written.
 * `hsm add NAME --with KEY=VALUE` shares the parsing.
 */
import { HsmError, ErrorCodes, YamlEdit, coerceCommandLineValue, findVersions, type OptionValue, type OptionSpecValue } from '@hsm/core';
import type { ProjectEditContext } from '@hsm/host';
import semver from 'semver';
import type { Command } from '../commands.js';
import { editAndSync, checkName, OVERLAY_HEADER } from './edit.js';

/** `KEY=VALUE` → [key, raw text]; the value may itself contain `=`. */
export function parseAssignment(text: string, command: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new HsmError(ErrorCodes.USAGE, `\`${text}\` is not KEY=VALUE`, { hint: `e.g. \`hsm ${command} port=5433\`` });
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** The option declarations of the newest version of `name` in the first registry that has it. */
async function declaredOptions(edit: ProjectEditContext, name: string): Promise<Record<string, OptionSpecValue>> {
  const found = findVersions(await edit.registries(), name)[0];
  const newest = [...(found?.entries ?? [])].sort((a, b) => semver.rcompare(a.version, b.version))[0];
  return newest?.definition.options ?? {};
}

/**
 * Writes `KEY=VALUE` pairs under `components.NAME.with`, each typed by the option's declared type (`port=5433` →
 * 5433, never "5433"). A value that does not convert, or a key the component does not declare, is written as given:
 * the planner then reports it with the same HSM_OPTION_INVALID (file:line:col, did-you-mean, allowed values) as a
 * hand-written hsm.yaml, and nothing is written.
 */
export async function writeTypedWith(edit: ProjectEditContext, target: YamlEdit, name: string, pairs: [string, string][]): Promise<void> {
  const declared = await declaredOptions(edit, name);
  for (const [key, text] of pairs) {
    const spec = declared[key];
    const value: OptionValue = (spec ? coerceCommandLineValue(spec.type, text) : null) ?? text;
    target.set(['components', name, 'with', key], value);
  }
}

const isEmpty = (v: unknown) => v === null || (typeof v === 'object' && Object.keys(v as object).length === 0);

export const set: Command = async (ctx) => {
  const [name, ...rest] = ctx.positionals;
  checkName(name);
  const local = Boolean(ctx.values.local);
  const file = local ? 'hsm.local.yaml' : 'hsm.yaml';
  if (ctx.values.unset) {
    const keys = rest.map((k) => (k.includes('=') ? k.slice(0, k.indexOf('=')) : k));
    return editAndSync(ctx, 'set', (edit) => {
      const target = local ? edit.overlay : edit.manifest;
      const missing = keys.find((k) => target === null || target.get(['components', name, 'with', k]) === undefined);
      if (missing !== undefined) {
        throw new HsmError(ErrorCodes.USAGE, `${file} sets no option \`${missing}\` for ${name}`, {
          hint: local ? `without --local, \`hsm set ${name} ${missing} --unset\` edits hsm.yaml` : `with --local, \`hsm set ${name} ${missing} --unset --local\` edits hsm.local.yaml`,
        });
      }
      for (const key of keys) target!.delete(['components', name, 'with', key]);
      // an emptied `with` goes too, and in the overlay an emptied entry
      if (isEmpty(target!.get(['components', name, 'with']))) target!.delete(['components', name, 'with']);
      if (local && isEmpty(target!.get(['components', name]))) target!.delete(['components', name]);
    });
  }
  const pairs = rest.map((a) => parseAssignment(a, `set ${name}`));
  return editAndSync(ctx, 'set', async (edit) => {
    const inStack = (edit.current.components && name in edit.current.components) || Object.values(edit.current.groups ?? {}).some((g) => (Array.isArray(g.use) ? g.use.includes(name) : g.use === name));
    if (!inStack) throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `\`${name}\` is not in the stack`, { hint: `add it with its options: \`hsm add ${name} --with KEY=VALUE\`` });
    if (local) edit.overlay ??= new YamlEdit(OVERLAY_HEADER);
    await writeTypedWith(edit, local ? edit.overlay! : edit.manifest, name, pairs);
  });
};
