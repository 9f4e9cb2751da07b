/**
 * Checks a compose file against the Compose Specification JSON Schema (compose-spec-schema.ts beside this file:
 * Apache-2.0, from compose-spec/compose-go as shipped by the npm package docker-compose@1.5.0). Runs always,
 * also where no Compose is installed. ajv and the schema are loaded on first use: the CLI's start-up budget.
 */
import { parse } from 'yaml';
import { HsmError, ErrorCodes } from '../errors.js';

type Validate = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }> | null;
};
let compiled: Promise<Validate> | undefined;

async function validator(): Promise<Validate> {
  compiled ??= (async () => {
    const [ajvModule, schemaModule] = await Promise.all([import('ajv'), import('./compose-spec-schema.js')]);
    // ajv is CommonJS: its class is `default` (Node's interop) or `default.default` (bundlers, TypeScript).
    const m = ajvModule as unknown as { default: { default?: unknown } };
    const Ajv = (m.default.default ?? m.default) as new (o: object) => { compile(s: object): Validate };
    const { $schema: _ignored, ...schema } = schemaModule.default as Record<string, unknown>;
    return new Ajv({ strict: false, allErrors: false, validateFormats: false }).compile(schema);
  })();
  return compiled;
}

/** `services.web.ports.0` from `/services/web/ports/0`. */
function dotted(instancePath: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.length ? parts.join('.') : '(top level)';
}

export async function validateComposeSchema(text: string, file = 'docker-compose.hsm.yml'): Promise<void> {
  let value: unknown;
  try {
    value = parse(text, { merge: true, maxAliasCount: 100 });
  } catch (e) {
    throw new HsmError(ErrorCodes.COMPOSE_INVALID, `${file} is not valid YAML: ${String((e as Error).message).split('\n')[0]}`, { cause: e });
  }
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
