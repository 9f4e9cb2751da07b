/**
 * The registry's configuration: read from the environment once, at start-up, and validated. Nothing else in the
 * service reads `process.env`; everything receives a `RegistryConfig`.
 */
import { z } from 'zod';
import { ErrorCodes, HsmError } from '@hsm/core';

export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');

const PositiveInt = z.coerce.number().int().positive();

const Env = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8420),
  HSM_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** `public`: anyone may read; `token`: reads need a token with the `read` scope. */
  HSM_REGISTRY_READ: z.enum(['public', 'token']).default('public'),
  /** Largest accepted request body, in bytes. */
  HSM_REGISTRY_BODY_LIMIT: PositiveInt.default(256 * 1024),
  /** Writes (publish, yank, tokens) allowed per client per minute. */
  HSM_REGISTRY_WRITES_PER_MINUTE: PositiveInt.default(120),
  HSM_REGISTRY_LOG: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** `on`: the browsable catalog under `/` (web/); `off`: the JSON API alone. */
  HSM_REGISTRY_WEB: z.enum(['on', 'off']).default('on'),
  XDG_DATA_HOME: z.string().optional(),
  HOME: z.string().optional(),
});

export interface RegistryConfig {
  /** Absent: the service runs on an embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  host: string;
  port: number;
  adminToken?: string;
  readAccess: 'public' | 'token';
  bodyLimit: number;
  writesPerMinute: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Serve the web catalog pages (HSM_REGISTRY_WEB). */
  web: boolean;
  /** Where the embedded PostgreSQL keeps its data. */
  dataDir: string;
}

/**
 * `uid` is the process's user id: as root, embedded PostgreSQL runs as the `postgres` user, which cannot enter
 * /root, so root's default data home is /var/lib (where system services keep state) unless XDG_DATA_HOME is set.
 */
export function loadConfig(env: Record<string, string | undefined>, uid: number | undefined = process.getuid?.()): RegistryConfig {
  const r = Env.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new HsmError(ErrorCodes.CONFIG_INVALID, `environment variable ${i.path.join('.')}: ${i.message}`, {
      hint: 'fix the variable and start the registry again (see docs/registry.md)',
    });
  }
  const e = r.data;
  const dataHome = e.XDG_DATA_HOME || (uid === 0 ? '/var/lib' : `${e.HOME ?? '.'}/.local/share`);
  return {
    databaseUrl: e.DATABASE_URL,
    host: e.HOST,
    port: e.PORT,
    adminToken: e.HSM_ADMIN_TOKEN,
    readAccess: e.HSM_REGISTRY_READ,
    bodyLimit: e.HSM_REGISTRY_BODY_LIMIT,
    writesPerMinute: e.HSM_REGISTRY_WRITES_PER_MINUTE,
    logLevel: e.HSM_REGISTRY_LOG,
    web: e.HSM_REGISTRY_WEB === 'on',
    dataDir: `${dataHome}/hsm/registry`,
  };
}
