/**
 * `hsm publish PATH --registry R`: validate every definition locally (one file, or a folder registry), then
 * PUT each to the service. The service's error code and message are shown as they come.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve as resolvePath } from 'node:path';
import { HsmError, ErrorCodes, parseDefinition, checkDefinition, type ComponentDefinition } from '@hsm/core';
import { displayUrl, loadFolderRegistry, remoteRegistry } from '@hsm/host';
import type { Command } from '../commands.js';
import { registryTarget } from './login.js';

/** Definitions at PATH: one file (.yaml/.yml/.json) or a folder registry (`<name>/<version>.yaml`). */
async function definitionsAt(path: string): Promise<ComponentDefinition[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new HsmError(ErrorCodes.USAGE, `${path} does not exist`, { hint: 'give a definition file or a folder registry' });
  if (info.isDirectory()) {
    const snap = await loadFolderRegistry('publish', path);
    const defs = [...snap.components.values()].flat().map((e) => e.definition);
    if (defs.length === 0) throw new HsmError(ErrorCodes.USAGE, `${path} holds no component definitions`, { hint: 'a folder registry holds `<name>/<version>.yaml` files' });
    return defs;
  }
  const text = await readFile(path, 'utf8');
  if (extname(path).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HsmError(ErrorCodes.DEFINITION_INVALID, `${path} is not valid JSON`, { hint: 'fix the file and publish again' });
    }
    return [checkDefinition(value, path)];
  }
  return [parseDefinition(text, path)];
}

export const publish: Command = async (ctx) => {
  const given = ctx.values.registry as string | undefined;
  if (!given) throw new HsmError(ErrorCodes.USAGE, '`hsm publish` needs --registry NAME (or URL)', { hint: 'e.g. `hsm publish ./hsm-registry --registry team`' });
  const path = resolvePath(ctx.cwd, ctx.positionals[0]);
  // everything is validated before the first request
  const definitions = (await definitionsAt(path)).sort((a, b) => (a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1));
  const target = await registryTarget(ctx, given);
  const remote = await remoteRegistry(target);
  const published: Array<{ name: string; version: string; digest: string; created: boolean }> = [];
  const done = ctx.out.step(`Publishing ${definitions.length} definition${definitions.length === 1 ? '' : 's'} to ${target.name}`);
  try {
    for (const d of definitions) published.push(await remote.publish(d));
  } catch (e) {
    if (e instanceof HsmError && published.length) {
      throw new HsmError(e.code, e.message, { hint: e.hint, exitCode: e.exitCode, cause: e, details: [...e.details, `already published: ${published.map((p) => `${p.name} ${p.version}`).join(', ')}`] });
    }
    throw e;
  } finally {
    done();
  }
  const s = ctx.out.style;
  const lines = published.map((p) => `${p.created ? s.green('published') : s.dim('unchanged')} ${p.name} ${p.version}  ${s.dim(p.digest)}`);
  return { data: { registry: target.name, url: displayUrl(target.url), published }, text: lines.join('\n') };
};
