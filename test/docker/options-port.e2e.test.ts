/**
 * End to end on a real Docker Engine (issue 11, item 7): a component with a `port` option set to a free port via
 * `hsm set` → `hsm up` → the service answers on 127.0.0.1 at that port and not on another interface of the
 * machine; hsm.env carries the same port. Its secret option reaches the container from .env at run time (and
 * `hsm up` names the variable while it is unset); a second `hsm up` is not refused for the port its own container
 * holds. The image is the local busybox (scripts/ci/start-docker.sh), never pulled.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type RunResult } from '@hsm/host';
import { BASE_IMAGE, SKIP_DOCKER, dockerStatus, httpGetText, projectContainers, removeProject } from '../support/docker.js';
import { freePort } from '../support/free-port.mjs';
import { tempDir } from '../support/files.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const HSM = join(repo, 'apps/cli/bin/hsm.js');
const status = await dockerStatus();
const describeDocker = status.ok || !SKIP_DOCKER ? describe : describe.skip;
const PROJECT = `hsm-e2e-opt-${process.pid}`;
const TOKEN = 'e2e-token-7c1f0a';

const DEFINITION = `name: hello-opt
version: 1.0.0
description: test component with typed options
options:
  port: { type: port, default: 18999, description: host port }
  greeting: { type: string, default: hello, pattern: "[a-z-]+", description: what the server answers }
  token: { type: string, secret: true, env: HELLO_TOKEN, description: a secret the service reads }
services:
  hello:
    image: ${BASE_IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo \${{ options.greeting }} > /www/index.html && exec httpd -f -p 8080 -h /www"]
    environment: { TOKEN: "\${{ options.token }}" }
    ports: ["127.0.0.1:\${{ options.port }}:8080"]
env:
  HELLO_URL: "http://127.0.0.1:\${{ options.port }}"
`;

/** True when a TCP connection to host:port is accepted within a second. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', () => done(false));
  });
}

/** A non-loopback IPv4 address of this machine (the Docker bridge at least exists where an engine runs). */
function otherInterface(): string | null {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

describeDocker('options on the real engine (hsm set port → hsm up → 127.0.0.1 only)', () => {
  let root: string;
  let dir: string;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.HELLO_TOKEN;

  const hsm = (...args: string[]): Promise<RunResult> => runProcess([process.execPath, HSM, '-C', dir, '--no-color', ...args], { env, allowFailure: true, timeoutMs: 180_000 });
  const ok = (r: RunResult) => {
    expect({ args: r.command.slice(4).join(' '), exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr }).toEqual({ args: r.command.slice(4).join(' '), exitCode: 0, stderr: '' });
    return r;
  };

  beforeAll(async () => {
    if (!status.ok) throw new Error(`the Docker end-to-end test cannot run: ${status.reason}`);
    if (!existsSync(join(repo, 'apps/cli/dist/main.js'))) throw new Error('the CLI is not built: run `npm run build` first');
    root = await tempDir('hsm-e2e-opt-');
    dir = join(root, 'app');
    env.XDG_CACHE_HOME = join(root, 'xdg-cache');
    env.XDG_CONFIG_HOME = join(root, 'xdg-config');
    await mkdir(join(dir, 'reg', 'hello-opt'), { recursive: true });
    await writeFile(join(dir, 'reg', 'hello-opt', '1.0.0.yaml'), DEFINITION);
    await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: ${PROJECT}\nbuiltin: false\nregistries:\n  - { name: local, path: ./reg }\ncompose:\n  project_name: ${PROJECT}\ncomponents:\n  hello-opt: {}\n`);
  });

  afterAll(async () => {
    if (!status.ok) return;
    await removeProject(PROJECT);
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('hsm set port=<free> → hsm up answers on 127.0.0.1:<free> only; the secret comes from .env', async () => {
    const port = await freePort();
    ok(await hsm('set', 'hello-opt', `port=${port}`, 'greeting=from-option'));
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toContain(`port: ${port}\n`);
    expect(await readFile(join(dir, 'hsm.env'), 'utf8')).toContain(`HELLO_URL=http://127.0.0.1:${port}\n`);
    const compose = await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8');
    expect(compose).toContain(`127.0.0.1:\${HSM_PORT_HELLO_${port}:-${port}}:8080`);
    expect(compose).toContain('TOKEN: ${HELLO_TOKEN:?set HELLO_TOKEN in .env}');

    // the secret is unset: hsm up names it and starts nothing
    const refused = await hsm('up');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('HSM_SECRET_UNSET');
    expect(refused.stderr).toContain('HELLO_TOKEN');
    expect(await projectContainers(PROJECT)).toEqual([]);

    await writeFile(join(dir, '.env'), `HELLO_TOKEN=${TOKEN}\n`);
    ok(await hsm('up'));
    expect((await httpGetText(port)).trim()).toBe('from-option');
    const other = otherInterface();
    expect(other).not.toBeNull();
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts(other!, port)).toBe(false);
    const published = await runProcess(['docker', 'port', `${PROJECT}-hello-1`, '8080/tcp']);
    expect(published.stdout.trim()).toBe(`127.0.0.1:${port}`);
    const token = await runProcess(['docker', 'exec', `${PROJECT}-hello-1`, 'sh', '-c', 'echo "$TOKEN"']);
    expect(token.stdout.trim()).toBe(TOKEN);

    // the stack's own container holds the port: a second `up` is not "port already in use"
    ok(await hsm('up'));
    ok(await hsm('down'));
    expect(await projectContainers(PROJECT)).toEqual([]);
  }, 300_000);
});
