/**
 * Structured logs: one JSON object per line on stdout. Anything that looks like a token is redacted before it is
 * written, whatever its source (a message, an error, a request path).
 */
import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

const TOKEN_RE = /hsm_[A-Za-z0-9_-]{8,}/g;
const HAS_TOKEN = /hsm_[A-Za-z0-9_-]{8,}/;
/** A run of URL characters holding at least one percent escape. */
const ENCODED_RUN = /(?:[A-Za-z0-9_.~+-]|%[0-9A-Fa-f]{2})*%[0-9A-Fa-f]{2}(?:[A-Za-z0-9_.~+-]|%[0-9A-Fa-f]{2})*/g;

/** Percent-decodes (up to three layers, for double encoding); escapes that do not decode are kept. */
export function percentDecode(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && /%[0-9A-Fa-f]{2}/.test(out); i++) {
    out = out.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
  return out;
}

/** A request path as logged: decoded, so that redaction sees what its bytes spell. */
export function logPath(path: string): string {
  return percentDecode(path);
}

/** Removes tokens and secrets, also where they are percent-encoded (redaction after decoding, issue 10 item 6). */
export function redact(text: string, secrets: readonly string[] = []): string {
  const holdsSecret = (t: string) => HAS_TOKEN.test(t) || secrets.some((s) => s && t.includes(s));
  let out = text.replace(ENCODED_RUN, (run) => (holdsSecret(percentDecode(run)) ? '[redacted]' : run));
  out = out.replace(TOKEN_RE, 'hsm_[redacted]');
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}

export class JsonLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel,
    private readonly secrets: readonly string[] = [],
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  event(level: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < RANK[this.level]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
    this.write(redact(line, this.secrets) + '\n');
  }

  log(message: unknown, context?: string): void {
    this.event('info', String(message), context ? { context } : {});
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.event('error', String(message), { ...(context ? { context } : {}), ...(trace ? { trace } : {}) });
  }
  warn(message: unknown, context?: string): void {
    this.event('warn', String(message), context ? { context } : {});
  }
  debug(message: unknown, context?: string): void {
    this.event('debug', String(message), context ? { context } : {});
  }
  verbose(message: unknown, context?: string): void {
    this.event('debug', String(message), context ? { context } : {});
  }
}
