/** `hsm ports`, `hsm env`, `hsm instance`: this checkout's instance of the stack (issue 12). */
import { HsmError, ErrorCodes, MAX_SLOT, parseDotenv, parseManifest, INSTANCE_ENV_FILE } from '@hsm/core';
import { composeStack, findProjectDir, readManifestText, refuseLeavingContainers, syncProject, describeCheckout, readSlot, writeSlot, type SyncReport } from '@hsm/host';
import { bundledSchemaDir } from '../schema-dir.js';
import type { Command, CommandContext } from '../commands.js';
import { reporter, syncOptions, summarize } from '../pipeline.js';

/** The read-only pipeline (`hsm status`'s): what this checkout's instance is, or would be after `hsm sync`. */
async function inspect(ctx: CommandContext, command: string): Promise<SyncReport> {
  const report = await syncProject(findProjectDir(ctx.cwd), reporter(ctx.out), { ...syncOptions(ctx, command), readOnly: true });
  if (report.plan.changes.length) ctx.out.log(ctx.out.style.yellow(`out of sync: ${report.plan.changes.map((c) => c.path).join(', ')} — these are the values \`hsm sync\` will write`));
  return report;
}

export const ports: Command = async (ctx) => {
  const { instance } = await inspect(ctx, 'ports');
  const rows = instance.ports.map((p) => [p.service, p.target, `${p.ip ?? '0.0.0.0'}:${p.port}`, p.port === p.declared ? '' : `(declared ${p.declared})`]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['service', 'container', 'host'][i].length));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c))
      .join('  ')
      .trimEnd();
  const head = `instance ${instance.slot}${instance.slot === 0 ? ' (primary)' : ''} · Compose project ${instance.projectName}`;
  const text = rows.length ? [head, line(['service', 'container', 'host', '']), ...rows.map(line)].join('\n') : `${head}\nno published host ports`;
  return { data: { project: instance.projectName, slot: instance.slot, ports: instance.ports }, text };
};

/** A value for `eval "$(hsm env)"`: single-quoted for POSIX shells. */
function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+,=-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export const env: Command = async (ctx) => {
  const { instance } = await inspect(ctx, 'env');
  const values = parseDotenv(instance.envFile);
  const text = Object.entries(values)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  return { data: values, text: `# this checkout's settings (also in ${INSTANCE_ENV_FILE}: \`uv run --env-file ${INSTANCE_ENV_FILE} …\`)\n${text}` };
};

export const instance: Command = async (ctx) => {
  const dir = findProjectDir(ctx.cwd);
  const primary = Boolean(ctx.values.primary);
  const [arg] = ctx.positionals;
  if (primary && arg !== undefined) throw new HsmError(ErrorCodes.USAGE, '`hsm instance N` and `--primary` exclude each other', { hint: 'hsm instance --primary (slot 0), or hsm instance N' });
  if (arg !== undefined || primary) {
    const slot = primary ? 0 : Number(arg);
    if (!/^\d+$/.test(arg ?? '0') || slot > MAX_SLOT) {
      throw new HsmError(ErrorCodes.INSTANCE_INVALID, `instance slot \`${arg}\` is not one of 0..${MAX_SLOT}`, { hint: `hsm instance N with N from 1 to ${MAX_SLOT}, or \`hsm instance --primary\`` });
    }
    const checkout = await describeCheckout(dir);
    const holders = (await Promise.all(checkout.siblings.map(async (s) => ((await readSlot(s).catch(() => null)) === slot ? s : null)))).filter((s): s is string => s !== null);
    if (slot !== 0 && holders.length) {
      throw new HsmError(ErrorCodes.INSTANCE_INVALID, `instance slot ${slot} is held by another worktree (${holders.join(', ')}): both would run one Compose project`, { hint: 'choose another slot: `hsm instance N`' });
    }
    // this checkout's running stack would be left behind in its old Compose project
    const { manifest } = parseManifest(await readManifestText(dir, bundledSchemaDir()));
    const stack = await composeStack(dir, manifest).catch(() => null);
    if (stack?.instance && stack.instance.slot !== slot) await refuseLeavingContainers(stack.dir, stack.instance.projectName, slot);
    // stored inside the sync's project lock, before the plan reads it
    const report = await syncProject(dir, reporter(ctx.out), { ...syncOptions(ctx, 'instance'), beforePlan: () => writeSlot(dir, slot) });
    let note = '';
    if (slot === 0 && !checkout.primary) {
      // slot 0 is the main checkout's ports; its containers only when Compose names both projects alike (not after the directory)
      const main = checkout.siblings[0] ? await composeStack(checkout.siblings[0], manifest).catch(() => null) : null;
      const mainProject = main?.instance?.projectName;
      note =
        mainProject === report.instance.projectName
          ? "\nnote: this worktree now shares the main checkout's containers, volumes and ports"
          : `\nnote: the same host ports as the main checkout (${mainProject ?? 'its stack'}), in its own Compose project: only one of the two stacks can run at a time`;
    }
    return {
      data: { slot, project: report.instance.projectName, written: report.written },
      text: `instance ${slot}${slot === 0 ? ' (primary)' : ''} · Compose project ${report.instance.projectName}\n${summarize(report, ctx.out)}${note}`,
    };
  }
  const { instance: current } = await inspect(ctx, 'instance');
  const checkout = await describeCheckout(dir);
  return {
    data: { slot: current.slot, project: current.projectName, primary: checkout.primary, git: checkout.git },
    text: `instance ${current.slot}${current.slot === 0 ? ' (primary)' : ''} · Compose project ${current.projectName}${checkout.git ? (checkout.primary ? ' · main worktree' : ' · linked worktree') : ''}`,
  };
};
