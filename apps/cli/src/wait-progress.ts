/**
 * The service lines `hsm up` shows while it waits (issue 17), on stderr: on a TTY one line per service redrawn in
 * place (starting → healthy); otherwise a plain `service: phase` line whenever a service changes. Nothing with
 * --quiet or --json.
 */
import { describePhase, type ServiceStatus } from '@hsm/host';
import type { Output } from './output.js';

interface WaitProgress {
  update(statuses: ServiceStatus[]): void;
  done(): void;
}

export function waitProgress(out: Output, tty = Boolean(process.stderr.isTTY)): WaitProgress {
  if (out.quiet || out.json) return { update() {}, done() {} };
  const s = out.style;
  const paint = (st: ServiceStatus) => {
    const words = describePhase(st);
    if (st.phase === 'healthy' || st.phase === 'running' || st.phase === 'completed') return s.green(words);
    if (st.phase === 'unhealthy' || st.phase === 'exited' || st.phase === 'restarting' || st.phase === 'dead') return s.red(words);
    return s.yellow(words);
  };
  if (!tty) {
    const shown = new Map<string, string>();
    return {
      update(statuses) {
        for (const st of statuses) {
          const words = describePhase(st);
          if (shown.get(st.container) === words) continue;
          shown.set(st.container, words);
          out.log(`${st.service}: ${words}`);
        }
      },
      done() {},
    };
  }
  let drawn = 0;
  return {
    update(statuses) {
      const width = Math.max(0, ...statuses.map((st) => st.service.length));
      let text = drawn > 0 ? `\x1b[${drawn}A` : '';
      for (const st of statuses) text += `\r\x1b[2K ${st.service.padEnd(width)}  ${paint(st)}\n`;
      process.stderr.write(text);
      drawn = statuses.length;
    },
    done() {},
  };
}
