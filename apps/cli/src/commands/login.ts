/**
 * `hsm login REGISTRY`: read a token (stdin when piped, else a hidden prompt), check it against the service and
 * store it 0600 under $XDG_CONFIG_HOME/hsm. REGISTRY is a registry name from hsm.yaml or a registry URL.
 * The token is never echoed, printed or put in --json output.
 */
import { HsmError, ErrorCodes, didYouMean, parseManifest, type Manifest } from '@hsm/core';
import { storeToken, tokenEnvName, displayUrl, findProjectDir, readOptional, MANIFEST, hsmConfigDir, remoteRegistry } from '@hsm/host';
import type { Command, CommandContext } from '../commands.js';

/** A registry name from the project's hsm.yaml, or a URL given directly. */
export async function registryTarget(ctx: CommandContext, given: string): Promise<{ name: string; url: string }> {
  if (/^https?:\/\//i.test(given)) {
    try {
      const u = new URL(given);
      return { name: u.host, url: given };
    } catch {
      throw new HsmError(ErrorCodes.USAGE, `\`${displayUrl(given)}\` is not a URL`, { hint: 'e.g. https://hsm.example.com' });
    }
  }
  let manifest: Manifest | undefined;
  try {
    const dir = findProjectDir(ctx.cwd);
    const text = await readOptional(`${dir}/${MANIFEST}`);
    if (text !== null) manifest = parseManifest(text, MANIFEST).manifest;
  } catch (e) {
    if (!(e instanceof HsmError && e.code === ErrorCodes.MANIFEST_NOT_FOUND)) throw e;
  }
  const remotes = (manifest?.registries ?? []).flatMap((r) => ('url' in r ? [r] : []));
  const found = remotes.find((r) => r.name === given);
  if (found) return { name: found.name, url: found.url };
  const folder = manifest?.registries?.find((r) => r.name === given && 'path' in r);
  throw new HsmError(
    ErrorCodes.REGISTRY_NOT_FOUND,
    folder
      ? `registry \`${given}\` is a folder registry: it needs no login and takes no publish (edit its files)`
      : `no registry service named \`${given}\` in ${manifest ? MANIFEST : 'this directory (no hsm.yaml found)'}${didYouMean(
          given,
          remotes.map((r) => r.name),
        )}`,
    { hint: remotes.length ? `registries with a URL: ${remotes.map((r) => r.name).join(', ')}; or give the URL itself` : 'give the registry URL, e.g. `hsm login https://hsm.example.com`' },
  );
}

async function readToken(ctx: CommandContext, target: { name: string; url: string }): Promise<string> {
  const stdin = process.stdin;
  let token: string;
  if (stdin.isTTY) {
    token = await promptHidden(`Token for registry ${target.name} (${displayUrl(target.url)}): `);
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of stdin) {
      size += (c as Buffer).length;
      if (size > 64 * 1024) throw new HsmError(ErrorCodes.USAGE, 'the token on stdin is longer than 64 KiB', { hint: 'pipe only the token: `echo "$TOKEN" | hsm login NAME`' });
      chunks.push(c as Buffer);
    }
    token =
      Buffer.concat(chunks)
        .toString('utf8')
        .split(/\r?\n/)
        .find((l) => l.trim() !== '') ?? '';
  }
  token = token.trim();
  if (!token) {
    throw new HsmError(ErrorCodes.USAGE, 'no token given', { hint: `pipe it in (\`hsm login ${target.name} < token.txt\`) or type it at the prompt` });
  }
  if (/\s/.test(token)) throw new HsmError(ErrorCodes.USAGE, 'a token is one word without spaces', { hint: 'check what was pasted' });
  void ctx;
  return token;
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = '';
    const done = (result: string | Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003') return done(new HsmError(ErrorCodes.INTERRUPTED, 'login cancelled', { hint: 'run `hsm login` again', exitCode: 130 }));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

export const login: Command = async (ctx) => {
  const target = await registryTarget(ctx, ctx.positionals[0]);
  const token = await readToken(ctx, target);
  if (!ctx.values['no-verify']) {
    const remote = await remoteRegistry(target, { token });
    const done = ctx.out.step(`Checking the token with ${displayUrl(target.url)}`);
    try {
      await remote.verifyToken();
    } finally {
      done();
    }
  }
  const file = await storeToken(target.url, token, hsmConfigDir());
  const env = tokenEnvName(target.name);
  return {
    data: { registry: target.name, url: displayUrl(target.url), credentials: file },
    text: `Logged in to registry ${target.name} (${displayUrl(target.url)}); token stored in ${file}\n(${env} in the environment takes precedence over it)`,
  };
};
