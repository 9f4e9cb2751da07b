/** Terminal output: data on stdout (text or --json), logs and progress on stderr, errors in one format. */
import type { HsmError } from '@hsm/core';

interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

export interface Output extends OutputOptions {
  /** The command's result: JSON on --json, else `text` (if any). */
  data(value: unknown, text?: string): void;
  /** A progress / status line on stderr (suppressed by --quiet). */
  log(message: string): void;
  /** Only with --verbose. */
  debug(message: string): void;
  /** A long step: spinner on a TTY, a plain line otherwise. Returns a function that ends it. */
  step(label: string): (final?: string) => void;
  error(e: HsmError, stack?: string): void;
  style: { bold(s: string): string; dim(s: string): string; red(s: string): string; green(s: string): string; yellow(s: string): string; cyan(s: string): string };
}

export function createOutput(o: OutputOptions): Output {
  const paint = (code: number) => (s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const style = { bold: paint(1), dim: paint(2), red: paint(31), green: paint(32), yellow: paint(33), cyan: paint(36) };
  const tty = Boolean(process.stderr.isTTY) && !o.quiet;
  return {
    ...o,
    style,
    data(value, text) {
      if (o.json) process.stdout.write(JSON.stringify(value ?? null) + '\n');
      else if (text) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    },
    log(message) {
      if (!o.quiet) process.stderr.write(message + '\n');
    },
    debug(message) {
      if (o.verbose) process.stderr.write(style.dim(message) + '\n');
    },
    step(label) {
      if (o.quiet) return () => {};
      if (!tty) {
        // progress is for people at a terminal; logs and CI get only the outcome
        return (final) => {
          if (final) process.stderr.write(final + '\n');
        };
      }
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      let i = 0;
      const draw = () => process.stderr.write(`\r\x1b[2K${style.cyan(frames[i++ % frames.length])} ${label}…`);
      draw();
      const timer = setInterval(draw, 80);
      timer.unref();
      return (final) => {
        clearInterval(timer);
        process.stderr.write('\r\x1b[2K');
        if (final) process.stderr.write(final + '\n');
      };
    },
    error(e, stack) {
      if (o.json) {
        process.stdout.write(JSON.stringify({ error: e.toJSON() }) + '\n');
        if (o.verbose && stack) process.stderr.write(stack + '\n');
        return;
      }
      const where = e.location ? `${e.location}: ` : '';
      let msg = `${style.red(style.bold(`error[${e.code}]`))}: ${where}${e.message}\n`;
      for (const d of e.details) msg += `  ${d}\n`;
      if (e.hint) msg += `${style.cyan('hint')}: ${e.hint}\n`;
      if (stack && (o.verbose || e.code === 'HSM_INTERNAL')) msg += style.dim(stack) + '\n';
      else if (o.verbose && e.stack) msg += style.dim(e.stack) + '\n';
      process.stderr.write(msg);
    },
  };
}
