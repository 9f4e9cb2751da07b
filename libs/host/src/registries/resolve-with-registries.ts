/**
 * Resolution against registries that may be remote: the pure resolver runs on snapshots; between runs, remote
 * registries fetch what it asked for (one batch per level of `requires`) or, after a dead end or a choice below
 * their newest versions, the older versions it may need.
 */
import { HsmError, ErrorCodes, resolve, type ResolveInput, type Resolution, type RegistrySnapshot } from '@hsm/core';

export interface ResolvableRegistry {
  snapshot: RegistrySnapshot;
  /** Remote registries: fetch these names (the resolver's `need`). */
  fetch?: (names: string[]) => Promise<void>;
  /** Remote registries: fetch older versions after a dead end or a choice below the newest; true when it got any. */
  remote?: { deepen(resolution?: Resolution): Promise<boolean> };
}

/** Resolver failures that older versions of a remote registry's components might avoid. */
const DEAD_ENDS = new Set<string>([ErrorCodes.UNSATISFIABLE, ErrorCodes.CONFLICT, ErrorCodes.GROUP_INVALID, ErrorCodes.COMPONENT_NOT_FOUND]);
const MAX_ROUNDS = 64;

export async function resolveWithRegistries(registries: ResolvableRegistry[], input: Omit<ResolveInput, 'registries'>): Promise<Resolution> {
  for (let round = 0; ; round++) {
    const remotes = registries.filter((r) => r.fetch && !r.snapshot.complete);
    let outcome: ReturnType<typeof resolve> | undefined;
    let deadEnd: HsmError | undefined;
    try {
      outcome = resolve({ ...input, registries: registries.map((r) => r.snapshot) });
    } catch (e) {
      if (!(e instanceof HsmError) || !DEAD_ENDS.has(e.code) || remotes.length === 0 || round >= MAX_ROUNDS) throw e;
      deadEnd = e;
    }
    if (outcome?.kind !== 'need') {
      // remotes hold only the newest versions: a dead end, or a choice below them, may need their older ones
      const chosen = outcome?.resolution;
      const more = await Promise.all(remotes.map((r) => r.remote?.deepen(chosen)));
      if (more.some(Boolean)) continue;
      if (deadEnd || !chosen) throw deadEnd;
      return chosen;
    }
    if (round >= MAX_ROUNDS || remotes.length === 0) {
      throw new HsmError(ErrorCodes.REGISTRY_ERROR, `could not fetch ${outcome.names.join(', ')} from the registries`, { hint: 'check the registries in hsm.yaml' });
    }
    const names = outcome.names;
    await Promise.all(remotes.map((r) => r.fetch!(names)));
  }
}
