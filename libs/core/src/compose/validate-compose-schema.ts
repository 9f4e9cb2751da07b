/**
 * Checks a compose file against the Compose Specification JSON Schema (compose-spec-schema.ts beside this file:
 * Apache-2.0, from compose-spec/compose-go as shipped by the npm package docker-compose@1.5.0). Runs always,
 * also where no Compose is installed. The schema is compiled ahead of time (compose-spec-validator.ts, ajv
 * standalone code): compiling it at run time costs ~350 ms, loading the compiled module ~20 ms, once, lazily.
 */
import { parse } from 'yaml';
import { HsmError, ErrorCodes } from '../errors.js';
import { noteParse } from '../parse-probe.js';

type Validate = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }> | null;
};
let loaded: Promise<Validate> | undefined;

function validator(): Promise<Validate> {
  loaded ??= import('./compose-spec-validator.js').then((m) => m.validate as Validate);
  return loaded;
}

/** `services.web.ports.0` from `/services/web/ports/0`. */
function dotted(instancePath: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.length ? parts.join('.') : '(top level)';
}

export async function validateComposeSchema(text: string, file = 'docker-compose.hsm.yml'): Promise<void> {
  let value: unknown;
  noteParse(file);
  try {
    value = parse(text, { merge: true, maxAliasCount: 100 });
  } catch (e) {
    throw new HsmError(ErrorCodes.COMPOSE_INVALID, `${file} is not valid YAML: ${String((e as Error).message).split('\n')[0]}`, { cause: e });
  }
  await validateComposeModel(value, file);
}

/** The check itself, on the data a compose file says (the planner hands in its model: no text round trip). */
export async function validateComposeModel(value: unknown, file = 'docker-compose.hsm.yml'): Promise<void> {
  const validate = await validator();
  if (validate(value)) return;
  // The deepest error is the most specific one (a oneOf failure reports every branch, then itself).
  const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  const e = errors[0];
  const extra = typeof e?.params?.additionalProperty === 'string' ? ` \`${e.params.additionalProperty}\`` : '';
  throw new HsmError(ErrorCodes.COMPOSE_INVALID, `${file}: \`${e ? dotted(e.instancePath) : '(top level)'}\` ${e?.message ?? 'does not match the Compose Specification'}${extra}`, {
    hint: 'the component definition that contributes this service does not match the Compose Specification; fix it in the registry',
  });
}
