/** `hsm doctor`: what is installed, what is missing, and how to get it. */
import { uvVersion, dockerInfo, detectCompose, runProcess, composeStack, findProjectDir, stackSecrets } from '@hsm/host';
import { HsmError } from '@hsm/core';
import type { Command } from '../commands.js';

/** In a project: each secret variable the generated compose file reads, and whether it is set (never its value). */
async function secretChecks(cwd: string): Promise<{ variable: string; set: boolean }[]> {
  try {
    // a uv workspace member's stack may live in the root's Compose project (issue 9 item 2)
    return stackSecrets(await composeStack(findProjectDir(cwd), null));
  } catch (e) {
    if (e instanceof HsmError) return [];
    throw e;
  }
}

export const doctor: Command = async (ctx) => {
  const [uv, docker, compose, git] = await Promise.all([
    uvVersion().catch(() => null),
    dockerInfo().catch(() => null),
    detectCompose().catch(() => null),
    runProcess(['git', '--version'], { allowFailure: true }).then(
      (r) => (r.exitCode === 0 ? r.stdout.trim().replace(/^git version /, '') : null),
      () => null,
    ),
  ]);
  const checks = [
    { name: 'node', ok: true, version: process.versions.node, required: true, fix: '' },
    { name: 'uv', ok: uv !== null, version: uv, required: true, fix: 'install uv ≥ 0.5: `python3 -m pip install uv` (or see https://docs.astral.sh/uv/)' },
    { name: 'git', ok: git !== null, version: git, required: false, fix: 'install git (needed to clone dev checkouts)' },
    { name: 'docker engine', ok: docker !== null, version: docker?.serverVersion ?? null, required: false, fix: 'install and start Docker Engine (needed for `hsm up` and services)' },
    {
      name: 'docker compose',
      ok: compose !== null && Number(compose.version.split('.')[0]) >= 2,
      version: compose ? `${compose.version} (${compose.argv.join(' ')})` : null,
      required: false,
      fix: compose
        ? `Compose ${compose.version} is v1, which predates the Compose Specification (include, pull_policy: missing): install the Compose v2 plugin`
        : 'install the Docker Compose v2 plugin (`docker compose`)',
    },
  ];
  const secrets = await secretChecks(ctx.cwd);
  const s = ctx.out.style;
  const lines = checks.map((c) => (c.ok ? `${s.green('✓')} ${c.name} ${c.version ?? ''}` : `${c.required ? s.red('✗') : s.yellow('!')} ${c.name} ${c.version ? c.version : 'missing'} — ${c.fix}`));
  for (const v of secrets) lines.push(v.set ? `${s.green('✓')} secret ${v.variable} set` : `${s.yellow('!')} secret ${v.variable} not set — add ${v.variable}=… to .env (the stack's compose file reads it)`);
  const failed = checks.some((c) => c.required && !c.ok);
  return { data: { checks, secrets }, text: lines.join('\n'), exitCode: failed ? 1 : 0 };
};
