/**
 * Reading a project's files, each once: its bytes (as text for the planner), and for the journal its mode,
 * owner and a stamp of the inode, so the transaction journals exactly the bytes the plan was computed from and
 * notices a file that changed since (HSM_CONCURRENT_EDIT) instead of overwriting it.
 */
import { open, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { HsmError, ErrorCodes, PROJECT_FILES, GENERATED_COMPOSE, lockedPyprojectFile, projectNameOf, workspaceGlobs, type WorkspaceMember, USER_COMPOSE_FILES, COMPOSE_OVERRIDE_FILES, type ProjectFiles } from '@hsm/core';
import { findComposeFiles, composeDirOf } from '../compose/compose-files.js';
import { workspaceMemberDirs } from '../uv/workspace.js';
import { stampOf, type PriorState, type ReadPrior } from '../txn/journal.js';
import { MANIFEST } from './find-project-dir.js';

export type { ReadPrior };

export interface ReadFiles {
  files: ProjectFiles;
  /**
   * Relative path → bytes (null: absent), for the no-op fast path's fingerprint: PROJECT_FILES, then the other
   * files the plan reads (`include:`d compose files), so an edit to any of them takes the full path (issue 9 item 3).
   */
  bytes: Map<string, Buffer | null>;
  /** Relative path → prior state, for files read as regular files (a symlink gets none: the write refuses it). */
  priors: Map<string, ReadPrior>;
}

/** A file's text, or null when it does not exist. */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const err = readError(path, e);
    if (err) throw err;
    return null;
  }
}

function readError(path: string, e: unknown): HsmError | null {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return null;
  if (code === 'EISDIR') return new HsmError(ErrorCodes.IO, `${path} is a directory`, { hint: 'move it out of the way' });
  return new HsmError(ErrorCodes.IO, `cannot read ${path}: ${(e as Error).message}`, { cause: e });
}

async function readOnce(dir: string, file: string): Promise<{ bytes: Buffer | null; prior?: ReadPrior }> {
  const path = join(dir, file);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { bytes: null, prior: { state: { kind: 'absent' }, stamp: null } };
    // a symlink: read through it as before; the transaction refuses to write it (PATH_UNSAFE)
    if (code === 'ELOOP') {
      try {
        return { bytes: await readFile(path) };
      } catch (e2) {
        const err = readError(path, e2);
        if (err === null) return { bytes: null };
        throw err;
      }
    }
    throw readError(path, e) ?? e;
  }
  try {
    const st = await handle.stat({ bigint: true });
    if (st.isDirectory()) throw new HsmError(ErrorCodes.IO, `${path} is a directory`, { hint: 'move it out of the way' });
    const bytes = await handle.readFile();
    const state: PriorState = { kind: 'file', mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), base64: bytes.toString('base64') };
    return { bytes, prior: st.isFile() ? { state, stamp: stampOf(st) } : undefined };
  } catch (e) {
    if (e instanceof HsmError) throw e;
    throw readError(path, e) ?? e;
  } finally {
    await handle.close();
  }
}

/**
 * The members of the uv workspace rooted at `dir` (null: its pyproject.toml is no workspace root), each
 * pyproject.toml read once (bytes and journal state, keyed `<member>/pyproject.toml`).
 */
export async function readWorkspaceMembers(dir: string, pyproject: string | null): Promise<{ members: WorkspaceMember[]; reads: Map<string, { bytes: Buffer; prior?: ReadPrior }> } | null> {
  const globs = pyproject?.includes('workspace') ? workspaceGlobs(pyproject) : null;
  if (!globs) return null;
  const members: WorkspaceMember[] = [];
  const reads = new Map<string, { bytes: Buffer; prior?: ReadPrior }>();
  for (const member of await workspaceMemberDirs(dir, globs.members, globs.exclude)) {
    const file = `${member}/pyproject.toml`;
    const r = await readOnce(dir, file);
    if (r.bytes === null) continue;
    reads.set(file, { bytes: r.bytes, prior: r.prior });
    const text = r.bytes.toString('utf8');
    members.push({ path: member, name: projectNameOf(text), text });
  }
  return { members, reads };
}

/** Every file a plan depends on (core's PROJECT_FILES), each read once. */
export async function readProjectFiles(dir: string): Promise<ReadFiles> {
  const read = await Promise.all(PROJECT_FILES.map((f) => readOnce(dir, f)));
  const bytes = new Map<string, Buffer | null>();
  const priors = new Map<string, ReadPrior>();
  PROJECT_FILES.forEach((f, i) => {
    bytes.set(f, read[i].bytes);
    if (read[i].prior) priors.set(f, read[i].prior!);
  });
  const text = (f: string) => bytes.get(f)?.toString('utf8') ?? null;
  const manifest = text(MANIFEST);
  if (manifest === null) throw new HsmError(ErrorCodes.MANIFEST_NOT_FOUND, `no ${MANIFEST} in ${dir}`, { hint: 'run `hsm init` to create one' });
  // a uv workspace member without a compose file joins the root's Compose project (issue 9 item 2): the Compose
  // side (user file, override, .env, the generated file) is read there, keyed by its path from here
  const composeDir = await composeDirOf(dir);
  const at = (f: string) => (composeDir && !isAbsolute(f) ? posix.join(composeDir, f) : f);
  if (composeDir) {
    const side = [GENERATED_COMPOSE, '.env', ...USER_COMPOSE_FILES, ...COMPOSE_OVERRIDE_FILES];
    const reads = await Promise.all(side.map((f) => readOnce(dir, at(f))));
    side.forEach((f, i) => {
      bytes.set(at(f), reads[i].bytes);
      if (reads[i].prior) priors.set(at(f), reads[i].prior!);
    });
  }
  // the user's Compose project as Compose finds it (issue 9 item 4): their file, its override, what they include:
  const compose = await findComposeFiles(join(dir, composeDir), composeDir, async (f) => text(at(f)));
  const files: ProjectFiles = {
    'hsm.yaml': manifest,
    'hsm.local.yaml': text('hsm.local.yaml'),
    'hsm.lock': text('hsm.lock'),
    'pyproject.toml': text('pyproject.toml'),
    'uv.lock': text('uv.lock'),
    'docker-compose.hsm.yml': compose.generated,
    '.env': compose.dotenv,
    'hsm.env': text('hsm.env'),
    userCompose: compose.userCompose,
    composeExtra: { override: compose.composeExtra.override, included: compose.composeExtra.included },
    ...(composeDir ? { composeDir, staleGenerated: text(GENERATED_COMPOSE) } : {}),
  };
  for (const f of [...compose.composeExtra.included, ...compose.composeExtra.envFiles]) bytes.set(at(f.file), Buffer.from(f.text, 'utf8'));
  for (const f of compose.composeExtra.missing) bytes.set(at(f), null);
  // a uv workspace root: its members' pyproject.toml files, one of which `python.package` may name (issue 9 item 1)
  const workspace = await readWorkspaceMembers(dir, files['pyproject.toml']);
  if (workspace) {
    files.workspaceMembers = workspace.members;
    for (const [file, r] of workspace.reads) {
      bytes.set(file, r.bytes);
      if (r.prior) priors.set(file, r.prior);
    }
  }
  // the pyproject.toml hsm.lock says holds hsm's entries, when not read above (a member since dropped from the
  // workspace): a switch of `python.package` takes them back out of it (issue 9 item 1), journaled like the rest
  const ownedFile = lockedPyprojectFile(files['hsm.lock']);
  if (ownedFile !== null && !bytes.has(ownedFile)) {
    const r = await readOnce(dir, ownedFile);
    bytes.set(ownedFile, r.bytes);
    if (r.prior) priors.set(ownedFile, r.prior);
    files.ownedPyproject = { file: ownedFile, text: r.bytes?.toString('utf8') ?? null };
  }
  files.environment = process.env;
  return { files, bytes, priors };
}
