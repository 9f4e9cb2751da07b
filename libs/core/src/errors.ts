/**
 * The one error type of hsm. Every failure a user can cause or meet carries a stable code, a one-line
 * message, and a hint naming the command or edit that fixes it. Tests assert on codes, never on text.
 */
/** 0 ok, 1 failure, 2 bad input, 3 drift; 128 + the signal's number for a command a signal interrupted (130: ctrl-C). */
export type ExitCode = 0 | 1 | 2 | 3 | 129 | 130 | 143;

export const ErrorCodes = {
  USAGE: 'HSM_USAGE',
  MANIFEST_NOT_FOUND: 'HSM_MANIFEST_NOT_FOUND',
  MANIFEST_EXISTS: 'HSM_MANIFEST_EXISTS',
  MANIFEST_INVALID: 'HSM_MANIFEST_INVALID',
  YAML_SYNTAX: 'HSM_YAML_SYNTAX',
  YAML_TOO_COMPLEX: 'HSM_YAML_TOO_COMPLEX',
  OVERLAY_INVALID: 'HSM_OVERLAY_INVALID',
  DEFINITION_INVALID: 'HSM_DEFINITION_INVALID',
  LOCK_INVALID: 'HSM_LOCK_INVALID',
  COMPONENT_NOT_FOUND: 'HSM_COMPONENT_NOT_FOUND',
  REGISTRY_NOT_FOUND: 'HSM_REGISTRY_NOT_FOUND',
  UNSATISFIABLE: 'HSM_UNSATISFIABLE',
  CONFLICT: 'HSM_CONFLICT',
  INTERFACE_UNFILLED: 'HSM_INTERFACE_UNFILLED',
  GROUP_INVALID: 'HSM_GROUP_INVALID',
  DIGEST_MISMATCH: 'HSM_DIGEST_MISMATCH',
  PYPROJECT_INVALID: 'HSM_PYPROJECT_INVALID',
  PYPROJECT_CLASH: 'HSM_PYPROJECT_CLASH',
  /** `[project].dynamic` lists "dependencies": nowhere to add a requirement. */
  PYPROJECT_DYNAMIC: 'HSM_PYPROJECT_DYNAMIC',
  /** At a uv workspace root: which member gets the Python dependencies (`python.package`) is missing or unknown. */
  WORKSPACE_MEMBER: 'HSM_WORKSPACE_MEMBER',
  COMPOSE_INVALID: 'HSM_COMPOSE_INVALID',
  SERVICE_CLASH: 'HSM_SERVICE_CLASH',
  PORT_CLASH: 'HSM_PORT_CLASH',
  CHECKOUT_MISSING: 'HSM_CHECKOUT_MISSING',
  PATH_UNSAFE: 'HSM_PATH_UNSAFE',
  SERVICE_UNSAFE: 'HSM_SERVICE_UNSAFE',
  UV_FAILED: 'HSM_UV_FAILED',
  UV_NOT_FOUND: 'HSM_UV_NOT_FOUND',
  COMPOSE_FAILED: 'HSM_COMPOSE_FAILED',
  // `hsm up`: a service exited, turned unhealthy or was not ready within --timeout (exit 1)
  SERVICE_NOT_READY: 'HSM_SERVICE_NOT_READY',
  DOCKER_NOT_FOUND: 'HSM_DOCKER_NOT_FOUND',
  GIT_FAILED: 'HSM_GIT_FAILED',
  PROCESS_FAILED: 'HSM_PROCESS_FAILED',
  LOCKED: 'HSM_LOCKED',
  INTERRUPTED: 'HSM_INTERRUPTED',
  DRIFT: 'HSM_DRIFT',
  LOCK_OUTDATED: 'HSM_LOCK_OUTDATED',
  OFFLINE_MISSING: 'HSM_OFFLINE_MISSING',
  NETWORK: 'HSM_NETWORK',
  REGISTRY_ERROR: 'HSM_REGISTRY_ERROR',
  AUTH: 'HSM_AUTH',
  IO: 'HSM_IO',
  INTERNAL: 'HSM_INTERNAL',
  // registry service (apps/registry): HTTP-facing codes
  REQUEST_INVALID: 'HSM_REQUEST_INVALID',
  UNAUTHENTICATED: 'HSM_UNAUTHENTICATED',
  FORBIDDEN: 'HSM_FORBIDDEN',
  NOT_FOUND: 'HSM_NOT_FOUND',
  VERSION_NOT_FOUND: 'HSM_VERSION_NOT_FOUND',
  VERSION_EXISTS: 'HSM_VERSION_EXISTS',
  NAME_TAKEN: 'HSM_NAME_TAKEN',
  BODY_TOO_LARGE: 'HSM_BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'HSM_UNSUPPORTED_MEDIA_TYPE',
  METHOD_NOT_ALLOWED: 'HSM_METHOD_NOT_ALLOWED',
  RATE_LIMITED: 'HSM_RATE_LIMITED',
  CONFIG_INVALID: 'HSM_CONFIG_INVALID',
  DATABASE_UNAVAILABLE: 'HSM_DATABASE_UNAVAILABLE',
  MIGRATION_FAILED: 'HSM_MIGRATION_FAILED',
  TXN_PENDING: 'HSM_TXN_PENDING',
  // a project file changed between the read a plan was computed from and the write
  CONCURRENT_EDIT: 'HSM_CONCURRENT_EDIT',
  // compose side: two components export one env variable with different values (hsm.env)
  ENV_CLASH: 'HSM_ENV_CLASH',
  // a value under `components.<name>.with` (or `--with`, `hsm set`) that the component's options refuse
  OPTION_INVALID: 'HSM_OPTION_INVALID',
  // a host port the stack publishes is already taken on this machine by something outside the stack
  PORT_IN_USE: 'HSM_PORT_IN_USE',
  // `hsm up` with a secret option's variable set neither in the environment nor in .env
  SECRET_UNSET: 'HSM_SECRET_UNSET',
  // parallel worktrees (issue 12): a slot outside 0..9, every slot taken, or a second checkout not set up yet
  INSTANCE_INVALID: 'HSM_INSTANCE_INVALID',
  // a second checkout whose `.env` git tracks: its per-checkout project name and ports would be committed
  ENV_TRACKED: 'HSM_ENV_TRACKED',
  // `hsm up` would adopt containers another checkout started under the same Compose project name
  INSTANCE_CLASH: 'HSM_INSTANCE_CLASH',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));
/** A code from outside this build (a registry server's JSON) is one of ours only if this build knows it. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

/** Exit code for each error code: 2 for bad input / usage, 3 for drift, 1 for everything else. */
const INPUT_ERRORS = new Set<string>([
  ErrorCodes.USAGE,
  ErrorCodes.MANIFEST_NOT_FOUND,
  ErrorCodes.MANIFEST_EXISTS,
  ErrorCodes.MANIFEST_INVALID,
  ErrorCodes.YAML_SYNTAX,
  ErrorCodes.YAML_TOO_COMPLEX,
  ErrorCodes.OVERLAY_INVALID,
  ErrorCodes.DEFINITION_INVALID,
  ErrorCodes.LOCK_INVALID,
  ErrorCodes.COMPONENT_NOT_FOUND,
  ErrorCodes.REGISTRY_NOT_FOUND,
  ErrorCodes.UNSATISFIABLE,
  ErrorCodes.CONFLICT,
  ErrorCodes.INTERFACE_UNFILLED,
  ErrorCodes.GROUP_INVALID,
  ErrorCodes.PYPROJECT_INVALID,
  ErrorCodes.PYPROJECT_CLASH,
  ErrorCodes.PYPROJECT_DYNAMIC,
  ErrorCodes.WORKSPACE_MEMBER,
  ErrorCodes.COMPOSE_INVALID,
  ErrorCodes.SERVICE_CLASH,
  ErrorCodes.PORT_CLASH,
  ErrorCodes.CHECKOUT_MISSING,
  ErrorCodes.PATH_UNSAFE,
  ErrorCodes.SERVICE_UNSAFE,
  ErrorCodes.ENV_CLASH,
  ErrorCodes.OPTION_INVALID,
  ErrorCodes.PORT_IN_USE,
  ErrorCodes.SECRET_UNSET,
  ErrorCodes.INSTANCE_INVALID,
  ErrorCodes.ENV_TRACKED,
  ErrorCodes.INSTANCE_CLASH,
]);

export function exitCodeFor(code: string): ExitCode {
  if (code === ErrorCodes.DRIFT) return 3;
  return INPUT_ERRORS.has(code) ? 2 : 1;
}

export interface HsmErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Where in which file the problem is, e.g. `hsm.yaml:4:3`. */
  location?: string;
  /** Extra lines shown under the message (a resolution chain, uv's stderr tail). */
  details?: string[];
  exitCode?: ExitCode;
}

export class HsmError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly location?: string;
  readonly details: string[];
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: HsmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HsmError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    // details quote other tools (uv's stderr names index URLs): credentials in a URL never reach the output
    this.details = (options.details ?? []).map(redactUrlCredentials);
    this.exitCode = options.exitCode ?? exitCodeFor(code);
  }

  /** The `--json` form: `{code, message, hint?, details?}` (hint and details only when there are some). */
  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: string[] } {
    const message = this.location ? `${this.location}: ${this.message}` : this.message;
    return { code: this.code, message, ...(this.hint ? { hint: this.hint } : {}), ...(this.details.length ? { details: this.details } : {}) };
  }
}

/** `scheme://user:secret@host` → `scheme://[redacted]@host`. */
function redactUrlCredentials(line: string): string {
  return line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"`]+@/gi, '$1[redacted]@');
}

export function isHsmError(e: unknown): e is HsmError {
  return e instanceof HsmError;
}
