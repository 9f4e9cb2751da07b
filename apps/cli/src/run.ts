/** Argument parsing, dispatch, and the one place that turns results and errors into output + exit code. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HsmError, ErrorCodes, didYouMean } from '@hsm/core';
import { createOutput, type Output } from './output.js';
import { COMMANDS, type CommandSpec, type CommandResult } from './commands.js';
import { VERSION, installedBy, versionLine } from './version.js';
import { workingDirectory } from '@hsm/host/sync-state';

export const GLOBAL_OPTIONS = {
  C: { type: 'string', short: 'C' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  'no-color': { type: 'boolean' },
  wait: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsConfig['options'];

export async function run(argv: string[]): Promise<number> {
  const jsonWanted = argv.includes('--json');
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  let out: Output = createOutput({ json: jsonWanted, quiet: false, verbose, color: false });
  let running: CommandSpec | undefined;
  try {
    const { spec, name, values, positionals } = parse(argv);
    running = spec;
    out = createOutput({
      json: Boolean(values.json),
      quiet: Boolean(values.quiet),
      verbose: Boolean(values.verbose),
      color: !values['no-color'] && !process.env.NO_COLOR && Boolean(process.stderr.isTTY),
    });
    if (values.version) {
      out.data({ version: VERSION, installedBy: installedBy(), node: process.version }, versionLine());
      return 0;
    }
    if (!spec || values.help) {
      out.data({ commands: Object.keys(COMMANDS) }, help(spec, name));
      return spec || values.help ? 0 : 2;
    }
    const wait = values.wait === undefined ? 0 : Number(values.wait);
    if (!Number.isFinite(wait) || wait < 0) throw new HsmError(ErrorCodes.USAGE, `--wait takes a number of seconds, got \`${String(values.wait)}\``, { hint: 'e.g. `hsm sync --wait 30`' });
    const command = await spec.load();
    const result: CommandResult = await command({
      // the shell's path through a symlinked directory, as Compose takes it (its project name and relative paths)
      cwd: typeof values.C === 'string' ? values.C : workingDirectory(),
      out,
      values,
      positionals,
      waitSeconds: wait,
    });
    out.data(result.data ?? null, result.text);
    return result.exitCode ?? 0;
  } catch (e) {
    return report(out, running && !('offline' in running.options) ? withoutOfflineHint(e) : e);
  }
}

/** A registry service that did not answer: the hint's `--offline` only where the command takes it. */
function withoutOfflineHint(e: unknown): unknown {
  if (!(e instanceof HsmError) || e.code !== ErrorCodes.NETWORK || !e.hint?.includes('--offline')) return e;
  return new HsmError(e.code, e.message, { hint: 'check that the registry is running and reachable', details: e.details, location: e.location, cause: e.cause, exitCode: e.exitCode });
}

function parse(argv: string[]): { spec?: CommandSpec; name?: string; values: Record<string, unknown>; positionals: string[] } {
  // the command is the first positional; options may come before or after it
  const first = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS }, strict: false, allowPositionals: true });
  const name = first.positionals[0];
  if (name === undefined) return { values: first.values as Record<string, unknown>, positionals: [] };
  const spec = COMMANDS[name];
  if (!spec) {
    throw new HsmError(ErrorCodes.USAGE, `unknown command \`${name}\`${didYouMean(name, Object.keys(COMMANDS))}`, { hint: 'run `hsm --help` for the list of commands' });
  }
  try {
    const parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...spec.options }, strict: true, allowPositionals: true });
    const positionals = parsed.positionals.slice(1);
    const [min, max] = spec.arity;
    if (!parsed.values.help && (positionals.length < min || positionals.length > max)) {
      throw new HsmError(ErrorCodes.USAGE, `\`hsm ${name}\` takes ${min === max ? min : `${min}${max === Infinity ? ' or more' : `–${max}`}`} argument${max === 1 ? '' : 's'}, got ${positionals.length}`, {
        hint: `usage: hsm ${spec.usage}`,
      });
    }
    return { spec, name, values: parsed.values as Record<string, unknown>, positionals };
  } catch (e) {
    if (e instanceof HsmError) throw e;
    const msg = (e as Error).message.split('\n')[0];
    throw new HsmError(ErrorCodes.USAGE, msg.replace(/\. To specify.*$/, ''), { hint: `usage: hsm ${spec.usage}` });
  }
}

function help(spec: CommandSpec | undefined, name: string | undefined): string {
  if (spec && name) return `usage: hsm ${spec.usage}\n\n${spec.summary}${spec.help ? `\n\n${spec.help}` : ''}\n\n${GLOBAL_HELP}`;
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, s]) => `  ${k.padEnd(width)}  ${s.summary}`);
  return `hsm ${VERSION} — Hyper Stack Manager: one manifest (hsm.yaml) for your uv + Docker Compose stack\n\nusage: hsm [options] <command> [args]\n\ncommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}`;
}

const GLOBAL_HELP = `global options:
  -C DIR         run as if hsm was started in DIR
  --json         machine-readable output on stdout
  -q, --quiet    only errors on stderr
  -v, --verbose  more detail (and stack traces on errors)
  --no-color     no colors (also NO_COLOR=1)
  --wait SECS    wait up to SECS for another hsm holding the project lock
exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 drift (sync --check), 130 interrupted (ctrl-C)`;

function report(out: Output, e: unknown): number {
  if (e instanceof HsmError) {
    out.error(e);
    return e.exitCode;
  }
  const err = new HsmError(ErrorCodes.INTERNAL, `unexpected error: ${(e as Error)?.message ?? String(e)}`, {
    hint: 'this is a bug in hsm (an error without a code); please report it with the output of --verbose',
  });
  out.error(err, e instanceof Error ? e.stack : undefined);
  return 1;
}
