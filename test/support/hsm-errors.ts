/** Catching the HsmError a call throws, so tests assert on its code (never on message text). */
import { HsmError } from '@hsm/core';

/** The HsmError `f` throws; fails the test when it throws nothing or something else. */
export function thrown(f: () => unknown): HsmError {
  try {
    f();
  } catch (e) {
    if (e instanceof HsmError) return e;
    throw e;
  }
  throw new Error('expected an HsmError');
}

/** The HsmError `p` rejects with; fails the test when it resolves or rejects with something else. */
export async function rejected(p: Promise<unknown>): Promise<HsmError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HsmError) return e;
    throw e;
  }
  throw new Error('expected an HsmError');
}

/** The `code` of whatever `p` rejects with (undefined when it resolves). */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}
