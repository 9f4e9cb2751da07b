/**
 * What Docker tests need to know before they start: does an engine answer, is a Compose installed, is the local
 * base image (built by scripts/ci/start-docker.sh, never pulled) there. A test that needs Docker fails with
 * `reason` when one is missing, unless HSM_E2E_DOCKER=skip says to skip it.
 */
import { readFile } from 'node:fs/promises';
import { detectCompose, dockerInfo, runProcess, type ComposeCommand } from '@hsm/host';

export const BASE_IMAGE = 'hsm-test/busybox:1';
export const SKIP_DOCKER = process.env.HSM_E2E_DOCKER === 'skip';

interface DockerStatus {
  ok: boolean;
  /** Why Docker tests cannot run (when !ok), with the command that fixes it. */
  reason?: string;
  engine?: string;
  compose?: ComposeCommand;
}

export async function dockerStatus(): Promise<DockerStatus> {
  const fix = 'run `bash scripts/ci/start-docker.sh` as root (or set HSM_E2E_DOCKER=skip to skip Docker tests)';
  const info = await dockerInfo();
  if (!info) return { ok: false, reason: `no Docker engine could be reached (\`docker version\` has no server): ${fix}${await dockerdLogTail()}` };
  const compose = await detectCompose();
  if (!compose) return { ok: false, reason: `Docker engine ${info.serverVersion} answers, but no Docker Compose is installed: ${fix}` };
  const image = await runProcess(['docker', 'image', 'inspect', BASE_IMAGE], { allowFailure: true });
  if (image.exitCode !== 0) return { ok: false, reason: `the local base image ${BASE_IMAGE} is missing: ${fix}` };
  return { ok: true, engine: info.serverVersion, compose };
}

/** The last lines of the log scripts/ci/start-docker.sh gives dockerd, so a CI failure says why the engine is gone. */
async function dockerdLogTail(): Promise<string> {
  const path = process.env.HSM_DOCKER_LOG ?? '/var/log/hsm-dockerd.log';
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.trimEnd().split('\n').slice(-5);
  return text ? `\n  last lines of ${path}:\n  ${lines.join('\n  ')}` : '';
}

/** GET http://127.0.0.1:PORT/PATH until it answers 200 (or `timeoutMs` passes); the body. */
export async function httpGetText(port: number, path = '/', timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return await res.text();
      last = new Error(`HTTP ${res.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`nothing answered on 127.0.0.1:${port}${path} within ${timeoutMs} ms: ${String(last)}`);
}

/** IDs of containers (running or not) carrying the Compose project label. */
export async function projectContainers(projectName: string): Promise<string[]> {
  const r = await runProcess(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${projectName}`]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** Best-effort cleanup of everything a test project left: containers, networks, volumes, built images. */
export async function removeProject(projectName: string): Promise<void> {
  const ids = await projectContainers(projectName).catch(() => []);
  if (ids.length) await runProcess(['docker', 'rm', '-f', '-v', ...ids], { allowFailure: true });
  for (const kind of ['network', 'volume'] as const) {
    const r = await runProcess(['docker', kind, 'ls', '-q', '--filter', `label=com.docker.compose.project=${projectName}`], { allowFailure: true });
    const list = r.stdout.split('\n').filter((l) => l.trim() !== '');
    if (list.length) await runProcess(['docker', kind, 'rm', ...list], { allowFailure: true });
  }
  const images = await runProcess(['docker', 'images', '-q', '--filter', `reference=${projectName}-*`], { allowFailure: true });
  const imageIds = [...new Set(images.stdout.split('\n').filter((l) => l.trim() !== ''))];
  if (imageIds.length) await runProcess(['docker', 'rmi', '-f', ...imageIds], { allowFailure: true });
}
