/** `hsm sync` and `hsm plan`. */
import { HsmError, ErrorCodes } from '@hsm/core';
import { findProjectDir, syncProject } from '@hsm/host';
import type { Command } from '../commands.js';
import { reporter, syncOptions, summarize, resolutionJson } from '../pipeline.js';

export const sync: Command = async (ctx) => {
  const opts = syncOptions(ctx, 'sync');
  if (ctx.values['dry-run']) return plan(ctx);
  const report = await syncProject(findProjectDir(ctx.cwd), reporter(ctx.out), opts);
  if (ctx.values.check) {
    const drift = report.plan.changes.map((c) => c.path);
    if (drift.length || report.plan.notes.length) {
      // `.env` is git-ignored and per checkout (issue 12): nothing of it to commit
      const perCheckout = drift.length > 0 && report.plan.notes.length === 0 && drift.every((p) => p === '.env' || p.endsWith('/.env'));
      throw new HsmError(ErrorCodes.DRIFT, `artifacts differ from hsm.yaml: ${drift.join(', ') || 'see below'}`, {
        details: report.plan.notes,
        hint: perCheckout ? "run `hsm sync`: .env holds this checkout's own settings (git-ignored, nothing to commit)" : 'run `hsm sync` and commit the result (with hsm.local.yaml in place only on your machine)',
      });
    }
    return { data: { ok: true, components: resolutionJson(report.plan.resolution) }, text: 'Artifacts match hsm.yaml' };
  }
  return {
    data: { written: report.written, added: report.added, removed: report.removed, changed: report.changed, recovered: report.recovered, ranUv: report.ranUv },
    text: summarize(report, ctx.out),
  };
};

export const plan: Command = async (ctx) => {
  const report = await syncProject(findProjectDir(ctx.cwd), reporter(ctx.out), syncOptions(ctx, 'plan'));
  const { createTwoFilesPatch } = await import('diff');
  const s = ctx.out.style;
  const parts: string[] = [];
  for (const c of report.plan.changes) {
    const patch = createTwoFilesPatch(c.before === null ? '/dev/null' : `a/${c.path}`, c.after === null ? '/dev/null' : `b/${c.path}`, c.before ?? '', c.after ?? '', '', '', { context: 3 });
    parts.push(
      patch
        .split('\n')
        .slice(1)
        .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? s.green(l) : l.startsWith('-') && !l.startsWith('---') ? s.red(l) : l.startsWith('@@') ? s.cyan(l) : l))
        .join('\n'),
    );
  }
  const commands: string[] = [];
  if (report.plan.python) commands.push('uv sync');
  if (report.plan.composeFiles.length)
    commands.push(
      `docker compose${report.plan.composeDir ? ` --project-directory ${report.plan.composeDir}` : ''} -p ${report.plan.projectName} ${report.plan.composeFiles.map((f) => `-f ${f}`).join(' ')} config --quiet`,
    );
  const text = [
    parts.length ? parts.join('\n') : 'No changes: artifacts match hsm.yaml',
    ...(report.plan.notes.length ? ['', ...report.plan.notes.map((n) => s.yellow(`note: ${n}`))] : []),
    '',
    `would run: ${commands.length ? commands.join('; ') : 'nothing'}`,
  ].join('\n');
  return {
    data: {
      changes: report.plan.changes.map((c) => ({ path: c.path, action: c.before === null ? 'create' : c.after === null ? 'delete' : 'update', before: c.before, after: c.after })),
      commands,
      projectName: report.plan.projectName,
      notes: report.plan.notes,
      components: resolutionJson(report.plan.resolution),
      lock: report.plan.lock,
    },
    text,
  };
};
