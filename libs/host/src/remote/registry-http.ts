/**
 * HTTP to one registry service: undici with keep-alive (loaded on first use, so commands that never talk to a
 * registry do not pay for it), timeouts, a response size limit, and retries with backoff for idempotent requests
 * only. Every failure is an HsmError naming the registry and the URL; the token is sent as a header and never
 * appears in a message.
 */
import { ErrorCodes, HsmError, isErrorCode, type ErrorCode } from '@hsm/core';
import * as RegistryApi from '@hsm/core/registry-api';

export interface RegistryHttpOptions {
  /** The registry's name in hsm.yaml (or the URL when there is none), used in every message. */
  name: string;
  /** Base URL of the service, e.g. `https://hsm.example.com` (paths are appended to it). */
  url: string;
  token?: string;
  /** Milliseconds to wait for a connection and then for the response headers. Default 10 s. */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes. Default 8 MiB. */
  maxBytes?: number;
  /** Attempts for an idempotent request (1 = no retry). Default 3. */
  attempts?: number;
  /** First backoff delay in ms, doubled per retry (with jitter). Default 200. */
  backoffMs?: number;
  /** Upper bound for a server's Retry-After, in ms. Default 5 s. */
  maxRetryAfterMs?: number;
  /** Receives one line per retry (for `--verbose`). */
  onRetry?: (message: string) => void;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path below the base URL, starting with `/`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to send again after a failure (GET, the read-only POST /v1/resolve, an idempotent PUT). */
  idempotent: boolean;
}

export interface HttpResponse {
  status: number;
  etag?: string;
  /** The body text ('' for 304). */
  text: string;
}

type UndiciModule = typeof import('undici');
let undiciModule: Promise<UndiciModule> | undefined;
// a bundler may hand over the CommonJS module as `default` only
const loadUndici = () => (undiciModule ??= import('undici').then((m) => (typeof m.Agent === 'function' ? m : (m as unknown as { default: UndiciModule }).default)));

/** One keep-alive agent per process: every registry request of a command reuses its connections. */
let sharedAgent: Promise<import('undici').Agent> | undefined;
function agentFor(connectTimeout: number): Promise<import('undici').Agent> {
  return (sharedAgent ??= loadUndici().then((u) => new u.Agent({ keepAliveTimeout: 10_000, connections: 8, connect: { timeout: connectTimeout } })));
}

/** The URL as it may be shown: without user info (a token pasted into the URL must not leak). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

export class RegistryHttp {
  readonly name: string;
  readonly base: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly onRetry?: (message: string) => void;
  /** Requests sent (including retries): tests and `--verbose` count round trips with it. */
  requestCount = 0;

  constructor(o: RegistryHttpOptions) {
    this.name = o.name;
    this.base = o.url.replace(/\/+$/, '');
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxBytes = o.maxBytes ?? 8 * 1024 * 1024;
    this.attempts = Math.max(1, o.attempts ?? 3);
    this.backoffMs = o.backoffMs ?? 200;
    this.maxRetryAfterMs = o.maxRetryAfterMs ?? 5_000;
    this.onRetry = o.onRetry;
  }

  /** `registry team (https://…/v1/resolve)` — the prefix of every message about this registry. */
  where(path: string): string {
    return `registry ${this.name} (${displayUrl(this.base + path)})`;
  }

  /** Sends the request; returns 2xx and 304 responses, throws a coded error for everything else. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const attempts = req.idempotent ? this.attempts : 1;
    for (let attempt = 1; ; attempt++) {
      let outcome: { response?: HttpResponse; error: HsmError; retryAfterMs?: number; retryable: boolean };
      try {
        outcome = await this.once(req);
      } catch (e) {
        outcome = this.networkError(req, e);
      }
      if (outcome.response) return outcome.response;
      if (!outcome.retryable || attempt >= attempts) throw outcome.error;
      const backoff = this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
      const delay = Math.min(Math.max(outcome.retryAfterMs ?? 0, backoff), this.maxRetryAfterMs);
      this.onRetry?.(`${outcome.error.message}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1} of ${attempts})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Sends the request and parses a JSON answer (2xx); a 304 gives `json: undefined`. */
  async json(req: HttpRequest): Promise<{ status: number; etag?: string; json: unknown }> {
    const r = await this.send(req);
    if (r.status === 304) return { status: 304, etag: r.etag, json: undefined };
    try {
      return { status: r.status, etag: r.etag, json: JSON.parse(r.text) };
    } catch {
      throw new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.where(req.path)} answered with malformed JSON`, {
        hint: 'check that the URL in hsm.yaml points at an hsm registry service',
      });
    }
  }

  private async once(req: HttpRequest): Promise<{ response?: HttpResponse; error: HsmError; retryAfterMs?: number; retryable: boolean }> {
    const undici = await loadUndici();
    const dispatcher = await agentFor(this.timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'hsm', ...req.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    this.requestCount++;
    const res = await undici.request(this.base + req.path, {
      method: req.method,
      headers,
      body,
      dispatcher,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const etag = header(res.headers, 'etag');
    const declared = Number(header(res.headers, 'content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      res.body.destroy();
      return { error: this.tooLarge(req), retryable: false };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.maxBytes) {
        res.body.destroy();
        return { error: this.tooLarge(req), retryable: false };
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode;
    if ((status >= 200 && status < 300) || status === 304) return { response: { status, etag, text }, error: undefined as never, retryable: false };
    return this.statusError(req, status, text, header(res.headers, 'retry-after'));
  }

  private tooLarge(req: HttpRequest): HsmError {
    return new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.where(req.path)} sent a response larger than ${this.maxBytes} bytes`, {
      hint: 'check that the URL in hsm.yaml points at an hsm registry service',
    });
  }

  private statusError(req: HttpRequest, status: number, raw: string, retryAfter: string | undefined) {
    // a server that echoes the request must not make us print the token
    const text = this.token ? raw.split(this.token).join('[redacted]') : raw;
    const server = serverError(text);
    const said = server ? `: ${server.code}: ${server.message}` : '';
    const where = this.where(req.path);
    // a newer server may answer with a code this build does not know: ours is HSM_REGISTRY_ERROR, the server's stays in details
    const code: ErrorCode | undefined = server && isErrorCode(server.code) ? server.code : undefined;
    const details = server && !code ? [`the registry's error code: ${server.code}`] : undefined;
    if (status === 429) {
      const seconds = Number(retryAfter);
      return {
        error: new HsmError(ErrorCodes.RATE_LIMITED, `${where} is rate limiting requests (HTTP 429)${said}`, { hint: 'wait a minute and try again' }),
        retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
        retryable: true,
      };
    }
    if (status >= 500) {
      // 503 is the service's "database away, retry": it says when (Retry-After), like a 429
      const seconds = Number(retryAfter);
      return {
        error: new HsmError(ErrorCodes.REGISTRY_ERROR, `${where} failed with HTTP ${status}${said}`, { hint: 'the registry service has a problem: try again later or ask its operator' }),
        retryAfterMs: status === 503 && Number.isFinite(seconds) ? seconds * 1000 : undefined,
        retryable: true,
      };
    }
    if (status === 401 || status === 403) {
      return {
        error: new HsmError(code ?? ErrorCodes.AUTH, `${where} refused the request (HTTP ${status})${said}`, {
          hint: `log in with \`hsm login ${this.name}\` or set ${tokenEnvName(this.name)}`,
          details,
          exitCode: 1,
        }),
        retryable: false,
      };
    }
    // other 4xx: the server's own code and message (publish shows them as is)
    return {
      error: new HsmError(code ?? ErrorCodes.REGISTRY_ERROR, `${where}: HTTP ${status}${said || ` ${text.slice(0, 200)}`}`, {
        hint: hintFor(code),
        details,
      }),
      retryable: false,
    };
  }

  private networkError(req: HttpRequest, e: unknown) {
    if (e instanceof HsmError) return { error: e, retryable: false };
    const code = (e as { code?: string })?.code ?? '';
    // undici and the socket layer give every failure a code; anything else is a bug, reported as one
    if (typeof code !== 'string' || code === '') throw e;
    const cause = (e as { cause?: { code?: string } })?.cause?.code ?? '';
    const what =
      code === 'ECONNREFUSED' || cause === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT'
          ? `no answer within ${this.timeoutMs} ms`
          : code === 'ENOTFOUND' || cause === 'ENOTFOUND'
            ? 'host not found'
            : `${code || 'network error'}: ${(e as Error)?.message ?? String(e)}`;
    return {
      error: new HsmError(ErrorCodes.NETWORK, `${this.where(req.path)}: ${what}`, {
        hint: 'check that the registry is running and reachable, or work from the cache with --offline',
        cause: e,
      }),
      retryable: RETRYABLE_CODES.has(code) || RETRYABLE_CODES.has(cause),
    };
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The service's `{ "error": { "code", "message" } }` (the shared ErrorBody schema), when the body is one. */
function serverError(text: string): { code: string; message: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined; // not JSON: the caller shows the status
  }
  const r = RegistryApi.checkResponse(RegistryApi.ErrorBody, body);
  // a code longer than any hsm has is not one: the caller shows the status
  if (!r.ok || r.value.error.code.length > 64) return undefined;
  return { code: r.value.error.code, message: r.value.error.message.slice(0, 1000) };
}

function hintFor(code: string | undefined): string {
  switch (code) {
    case ErrorCodes.VERSION_EXISTS:
      return 'published versions are immutable: bump `version` and publish again';
    case ErrorCodes.NAME_TAKEN:
      return 'choose a clearly different name';
    case ErrorCodes.DEFINITION_INVALID:
      return 'fix the definition and publish again';
    case ErrorCodes.BODY_TOO_LARGE:
      return 'the definition is larger than the registry accepts';
    default:
      return 'check the registry URL in hsm.yaml';
  }
}

/** `HSM_TOKEN_<NAME>`: the registry name upper-cased, `-` → `_`. */
export function tokenEnvName(registry: string): string {
  return `HSM_TOKEN_${registry.toUpperCase().replace(/-/g, '_')}`;
}
