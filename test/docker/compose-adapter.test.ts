/**
 * Medium tier: the compose renderer, linking and adapter against a real Docker Engine and Compose (set up by
 * scripts/ci/start-docker.sh; images only from the local base image, never pulled). Fails when no engine
 * answers, unless HSM_E2E_DOCKER=skip.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, HsmError, renderCompose, linkComposeInclude, linkComposeEnv, validateComposeSchema, GENERATED_COMPOSE, type ComponentDefinition, type ResolvedComponent } from '@hsm/core';
import { composeConfigCheck, composeExec, composeRun, detectCompose, dockerInfo, runProcess } from '@hsm/host';
import { BASE_IMAGE, SKIP_DOCKER, dockerStatus, httpGetText, projectContainers, removeProject } from '../support/docker.js';
import { freePort } from '../support/free-port.mjs';
import { tempDir } from '../support/files.js';

const status = await dockerStatus();
const describeDocker = status.ok || !SKIP_DOCKER ? describe : describe.skip;

function component(definition: ComponentDefinition, mode: 'prod' | 'dev' = 'prod', checkout = `packages/${definition.name}`): ResolvedComponent {
  return { name: definition.name, version: definition.version, registry: 'local', digest: 'sha256:0', definition, mode, checkout, reasons: [] };
}

/** A web service answering `text` over HTTP, healthchecked; its dev build serves what the checkout's Dockerfile bakes in. */
function webDefinition(port: number, text: string): ComponentDefinition {
  return {
    name: 'web',
    version: '1.0.0',
    provides: ['http'],
    services: {
      web: {
        image: BASE_IMAGE,
        command: ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www`],
        ports: [`127.0.0.1:${port}:8080`],
        healthcheck: { test: ['CMD', 'wget', '-qO-', 'http://127.0.0.1:8080/'], interval: '1s', timeout: '2s', retries: 30 },
        dev: { build: { context: '.' }, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] },
      },
    },
  } as ComponentDefinition;
}

const clientDefinition = {
  name: 'client',
  version: '1.0.0',
  requires: [{ interface: 'http' }],
  services: { client: { image: BASE_IMAGE, command: ['sleep', '3600'], stop_grace_period: '1s' } },
} as ComponentDefinition;

describeDocker('compose adapter on a real engine', () => {
  let dir: string;
  const project = `hsm-adapter-${process.pid}`;

  beforeAll(async () => {
    if (!status.ok) throw new Error(`Docker tests cannot run: ${status.reason}`);
    dir = await tempDir('hsm-compose-');
  });

  afterAll(async () => {
    if (!status.ok) return;
    await removeProject(project);
    await rm(dir, { recursive: true, force: true });
  });

  test('detects Compose v2 and the engine', async () => {
    const compose = await detectCompose();
    expect(compose).not.toBeNull();
    expect(compose!.version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await dockerInfo())?.serverVersion).toMatch(/^\d+\./);
  });

  test('config --quiet accepts the rendered file and names what Compose rejects', async () => {
    const port = await freePort();
    const { text } = renderCompose({ projectName: project, components: [component(webDefinition(port, 'x')), component(clientDefinition)], checkoutExists: () => true });
    await validateComposeSchema(text!);
    await writeFile(join(dir, GENERATED_COMPOSE), text!);
    expect(await composeConfigCheck(dir, [GENERATED_COMPOSE], project)).toBe(true);

    // Valid for the schema, wrong for Compose: depends_on a service that does not exist.
    await writeFile(join(dir, 'bad.yml'), `services:\n  a:\n    image: ${BASE_IMAGE}\n    depends_on: [nowhere]\n`);
    await validateComposeSchema(`services:\n  a:\n    image: ${BASE_IMAGE}\n    depends_on: [nowhere]\n`);
    const err = await composeConfigCheck(dir, ['bad.yml'], project).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HsmError);
    expect((err as HsmError).code).toBe(ErrorCodes.COMPOSE_INVALID);
    expect((err as HsmError).message).toContain('nowhere');
  });

  test('include and env linking are read by Compose as written', async () => {
    const port = await freePort();
    const { text } = renderCompose({ projectName: project, components: [component(webDefinition(port, 'x'))], checkoutExists: () => true });
    const linked = join(dir, 'linked');
    await mkdir(linked, { recursive: true });
    await writeFile(join(linked, GENERATED_COMPOSE), text!);
    const user = `# mine\nservices:\n  mine:\n    image: ${BASE_IMAGE}\n`;
    await writeFile(join(linked, 'docker-compose.yml'), linkComposeInclude(user, GENERATED_COMPOSE, true));
    const viaInclude = await runProcess(['docker', 'compose', 'config', '--services'], { cwd: linked });
    expect(viaInclude.stdout.split('\n').filter(Boolean).sort()).toEqual(['mine', 'web']);

    await writeFile(join(linked, 'docker-compose.yml'), user);
    await writeFile(join(linked, '.env'), linkComposeEnv(null, ['docker-compose.yml', GENERATED_COMPOSE])!);
    const viaEnv = await runProcess(['docker', 'compose', 'config', '--services'], { cwd: linked });
    expect(viaEnv.stdout.split('\n').filter(Boolean).sort()).toEqual(['mine', 'web']);
  });

  test('up waits for health, the service answers on 127.0.0.1, ps and logs pass through, down leaves nothing', async () => {
    const port = await freePort();
    const { text } = renderCompose({ projectName: project, components: [component(webDefinition(port, 'prod-answer')), component(clientDefinition)], checkoutExists: () => true });
    await writeFile(join(dir, GENERATED_COMPOSE), text!);
    const files = [GENERATED_COMPOSE];

    expect(await composeRun(dir, files, project, ['up', '-d', '--wait'], { capture: true })).toBe(0);
    expect((await httpGetText(port)).trim()).toBe('prod-answer');

    const ps = await composeExec(dir, files, project, ['ps', '--services', '--filter', 'status=running'], { capture: true });
    expect(ps.stdout.split('\n').filter(Boolean).sort()).toEqual(['client', 'web']);
    const labels = await runProcess(['docker', 'inspect', '--format', '{{index .Config.Labels "dev.hsm.component"}} {{index .Config.Labels "dev.hsm.mode"}}', `${project}-web-1`]);
    expect(labels.stdout.trim()).toBe('web prod');
    const logs = await composeExec(dir, files, project, ['logs', '--no-color', 'web'], { capture: true });
    expect(logs.exitCode).toBe(0);

    // Compose's own failure and exit code come through untouched.
    const bad = await composeExec(dir, files, project, ['logs', 'no-such-service'], { capture: true });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('no-such-service');

    // Dev mode: built from the local context, the answer changes.
    const checkout = join(dir, 'web-checkout');
    await mkdir(checkout, { recursive: true });
    await writeFile(join(checkout, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN mkdir -p /www && echo dev-answer > /www/index.html\n`);
    const dev = renderCompose({ projectName: project, projectDir: dir, components: [component(webDefinition(port, 'prod-answer'), 'dev', checkout), component(clientDefinition)], checkoutExists: () => true });
    expect(dev.text).toContain('context: ./web-checkout');
    await writeFile(join(dir, GENERATED_COMPOSE), dev.text!);
    expect(await composeRun(dir, files, project, ['up', '-d', '--wait'], { capture: true })).toBe(0);
    expect((await httpGetText(port)).trim()).toBe('dev-answer');

    expect(await composeRun(dir, files, project, ['down', '--timeout', '1'], { capture: true })).toBe(0);
    expect(await projectContainers(project)).toEqual([]);
  });
});
