/**
 * Registry tokens: `HSM_TOKEN_<NAME>` in the environment first, then `<config>/credentials.json` written by
 * `hsm login` (mode 0600, keyed by registry URL so one server known under two names shares its login).
 * Tokens are only ever read here and sent as a header: no message prints one.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, HsmError } from '@hsm/core';
import { tokenEnvName } from './registry-http.js';

export const CREDENTIALS_FILE = 'credentials.json';

interface CredentialsFile {
  version: 1;
  registries: Record<string, { token: string }>;
}

/** The key a registry's login is stored under: its URL without user info, query or trailing slash. */
export function credentialKey(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

async function readCredentials(configDir: string): Promise<CredentialsFile> {
  const path = join(configDir, CREDENTIALS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { version: 1, registries: {} };
  }
  try {
    const v = JSON.parse(text) as CredentialsFile;
    if (v && typeof v.registries === 'object' && v.registries !== null) return { version: 1, registries: v.registries };
  } catch {
    // fall through
  }
  throw new HsmError(ErrorCodes.AUTH, `${path} is not a credentials file hsm can read`, { hint: `delete it and run \`hsm login\` again` });
}

/** The token for a registry, or undefined (anonymous). */
export async function tokenFor(registry: { name: string; url: string }, env: Record<string, string | undefined>, configDir: string): Promise<string | undefined> {
  const fromEnv = env[tokenEnvName(registry.name)];
  if (fromEnv) return fromEnv.trim();
  const creds = await readCredentials(configDir);
  return creds.registries[credentialKey(registry.url)]?.token;
}

/** Stores a token (0600 from the first byte, replaced atomically). Returns the file's path. */
export async function storeToken(url: string, token: string, configDir: string): Promise<string> {
  const creds = await readCredentials(configDir);
  creds.registries[credentialKey(url)] = { token };
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const path = join(configDir, CREDENTIALS_FILE);
  const temp = join(configDir, `.${CREDENTIALS_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new HsmError(ErrorCodes.IO, `cannot write ${path}: ${(e as Error).message}`, { cause: e, hint: 'check the permissions of the folder' });
  }
  return path;
}
