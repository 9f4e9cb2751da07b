/**
 * Option values → configured components (issue 11). Takes each resolved component's declared options, the
 * values `hsm.yaml` and `hsm.local.yaml` set under `components.<name>.with` (the overlay wins per key), checks
 * them, and interpolates `${{ options.NAME }}` into `services`, `env` and `python.requirement`. Pure.
 *
 * Secrets never become file content: in `services` a secret reads as a Compose variable reference
 * (`${VAR:?set VAR in .env}`) that Compose fills from the user's `.env` at run time; an `env` entry that uses a
 * secret is withheld from hsm.env (the renderer writes a comment naming the variable instead).
 */
import { HsmError, ErrorCodes } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import { parseYamlSource, locate } from '../yaml-source.js';
import type { Manifest, LocalOverlay } from '../schema/manifest.js';
import type { ComponentDefinition } from '../schema/definition.js';
import type { ResolvedComponent } from '../model.js';
import { allowedValues, valueProblem, type OptionSpecValue, type OptionValue } from './option-spec.js';
import { ANY_REFERENCE, referenceName, wholeReference } from './references.js';
import { bindPorts } from './bind-ports.js';

export interface ConfiguredOptions {
  /** Effective non-secret values (default or set), by option name. */
  values: Record<string, OptionValue>;
  /** Secret options: option name → the environment variable the value comes from. */
  secrets: Record<string, string>;
  /** Options set in a manifest file to something other than the default: name → value and the file that set it. */
  changed: Record<string, { value: OptionValue; file: string }>;
}

export interface ConfiguredComponent extends ResolvedComponent {
  /** The definition with every option reference interpolated. */
  definition: ComponentDefinition;
  options: ConfiguredOptions;
  /** `env` keys withheld from hsm.env because their value uses a secret: key → the variable to set in `.env`. */
  withheldEnv: Record<string, string>;
}

export interface ConfigureInput {
  components: ResolvedComponent[];
  manifest: Manifest;
  overlay: LocalOverlay;
  /** Texts of the two files, so an error can name line and column. */
  manifestText: string;
  overlayText: string | null;
  manifestFile?: string;
  overlayFile?: string;
}

/** `${VAR:?set VAR in .env}`: Compose refuses to start without it, saying what to do. */
export function secretReference(env: string): string {
  return `\${${env}:?set ${env} in .env}`;
}

export function configureComponents(input: ConfigureInput): ConfiguredComponent[] {
  const manifestFile = input.manifestFile ?? 'hsm.yaml';
  const overlayFile = input.overlayFile ?? 'hsm.local.yaml';
  const bind = input.manifest.compose?.bind ?? '127.0.0.1';
  return input.components.map((c) => {
    const set = [
      { file: manifestFile, text: input.manifestText, values: input.manifest.components?.[c.name]?.with ?? {} },
      { file: overlayFile, text: input.overlayText, values: input.overlay.components?.[c.name]?.with ?? {} },
    ];
    const options = optionValues(c, set);
    const withheldEnv: Record<string, string> = {};
    let definition = interpolateDefinition(c.definition, options, withheldEnv);
    if (bind !== '127.0.0.1' && definition.services) definition = { ...definition, services: bindPorts(definition.services, bind) };
    return { ...c, definition, options, withheldEnv };
  });
}

interface ValueSet {
  file: string;
  text: string | null;
  values: Record<string, OptionValue>;
}

function optionValues(c: ResolvedComponent, sets: ValueSet[]): ConfiguredOptions {
  const declared = c.definition.options ?? {};
  const values: Record<string, OptionValue> = {};
  const secrets: Record<string, string> = {};
  const changed: ConfiguredOptions['changed'] = {};
  const given = new Map<string, { value: OptionValue; set: ValueSet }>();
  for (const set of sets) {
    for (const [key, value] of Object.entries(set.values)) {
      const spec = declared[key];
      if (!spec) {
        const names = Object.keys(declared);
        throw invalid(
          set,
          c,
          key,
          true,
          `${c.name} ${c.version} has no option \`${key}\`${didYouMean(key, names)}`,
          names.length ? `options of ${c.name}: ${names.join(', ')} (see \`hsm info ${c.name}\`)` : `${c.name} declares no options`,
        );
      }
      if (spec.secret) {
        // the value is not repeated: it may be the secret itself (Terraform printed one in a type error)
        throw invalid(
          set,
          c,
          key,
          false,
          `option \`${key}\` of ${c.name} is a secret: it is read from $${spec.env} at run time and cannot be set in ${set.file}`,
          `remove it from ${set.file} and put ${spec.env}=… in .env`,
        );
      }
      const problem = valueProblem(spec, value);
      if (problem) throw invalid(set, c, key, false, `option \`${key}\` of ${c.name}: ${problem.startsWith('expected') ? problem : `${JSON.stringify(value)} ${problem}`}`, `allowed: ${allowedValues(spec)}`);
      given.set(key, { value, set });
    }
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.secret) {
      secrets[name] = spec.env!;
      continue;
    }
    const g = given.get(name);
    const value = g?.value ?? spec.default;
    if (value === undefined) {
      throw new HsmError(ErrorCodes.OPTION_INVALID, `option \`${name}\` of ${c.name} ${c.version} has no default and is not set`, {
        location: `${sets[0].file}:1:1`,
        hint: `hsm set ${c.name} ${name}=VALUE (allowed: ${allowedValues(spec)})`,
      });
    }
    values[name] = value;
    if (g && g.value !== spec.default) changed[name] = { value: g.value, file: g.set.file };
  }
  return { values, secrets, changed };
}

function invalid(set: ValueSet, c: ResolvedComponent, key: string, wantKey: boolean, message: string, hint: string): HsmError {
  let location = `${set.file}:1:1`;
  if (set.text !== null) {
    try {
      location = locate(parseYamlSource(set.file, set.text), ['components', c.name, 'with', key], wantKey);
    } catch {
      // the text parsed once already; a location is a nicety
    }
  }
  return new HsmError(ErrorCodes.OPTION_INVALID, message, { location, hint });
}

type Part = 'services' | 'env' | 'python';

/** Option value as text inside a larger string of `part`. */
function asText(value: OptionValue, part: Part): string {
  const text = String(value);
  // in the compose file a literal `$` must be `$$`, or Compose would read it as its own variable
  return part === 'services' ? text.replace(/\$/g, '$$$$') : text;
}

function interpolateString(text: string, part: Part, o: ConfiguredOptions): { value: unknown; secret: string | null } {
  const whole = wholeReference(text);
  if (whole !== null && whole in o.values) {
    const v = o.values[whole];
    return { value: typeof v === 'string' ? asText(v, part) : part === 'services' ? v : String(v), secret: null };
  }
  let secret: string | null = null;
  const value = text.replace(ANY_REFERENCE, (all, body: string) => {
    const name = referenceName(body);
    if (name === null) return all;
    if (name in o.secrets) {
      secret = o.secrets[name];
      return secretReference(o.secrets[name]);
    }
    return name in o.values ? asText(o.values[name], part) : all;
  });
  return { value, secret };
}

function interpolateTree(v: unknown, part: Part, o: ConfiguredOptions): unknown {
  if (typeof v === 'string') return v.includes('${{') ? interpolateString(v, part, o).value : v;
  if (Array.isArray(v)) return v.map((x) => interpolateTree(x, part, o));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateTree(x, part, o)]));
  return v;
}

function interpolateDefinition(d: ComponentDefinition, o: ConfiguredOptions, withheldEnv: Record<string, string>): ComponentDefinition {
  if (!d.options) return d;
  const out: ComponentDefinition = structuredClone(d);
  if (d.services) out.services = interpolateTree(d.services, 'services', o) as ComponentDefinition['services'];
  if (d.env) {
    const env: Record<string, string> = {};
    for (const [key, text] of Object.entries(d.env)) {
      const r = interpolateString(text, 'env', o);
      if (r.secret !== null) withheldEnv[key] = r.secret;
      else env[key] = String(r.value);
    }
    out.env = env;
  }
  if (d.python?.requirement) out.python = { ...d.python, requirement: String(interpolateString(d.python.requirement, 'python', o).value) };
  return out;
}

/**
 * `configured` again from its raw definition with every `port` option whose value is a key of `moved` set to the
 * port it maps to: a second checkout's connection settings (issue 12) follow its shifted host ports, bare
 * `…_PORT` values included, without a second reading of hsm.yaml.
 */
export function reconfigurePorts(raw: ResolvedComponent, configured: ConfiguredComponent, moved: ReadonlyMap<number, number>): ConfiguredComponent {
  const declared = raw.definition.options ?? {};
  const values = { ...configured.options.values };
  let changed = false;
  for (const [name, value] of Object.entries(values)) {
    if (declared[name]?.type === 'port' && typeof value === 'number' && moved.has(value)) {
      values[name] = moved.get(value)!;
      changed = true;
    }
  }
  if (!changed) return configured;
  const options = { ...configured.options, values };
  const withheldEnv: Record<string, string> = {};
  return { ...configured, definition: interpolateDefinition(raw.definition, options, withheldEnv), options, withheldEnv };
}

/** The environment variables the configured stack reads secrets from, sorted, each with who needs it. */
export function secretVariables(components: ConfiguredComponent[]): { variable: string; component: string; option: string }[] {
  const out: { variable: string; component: string; option: string }[] = [];
  for (const c of components) for (const [option, variable] of Object.entries(c.options.secrets)) out.push({ variable, component: c.name, option });
  return out.sort((a, b) => (a.variable < b.variable ? -1 : a.variable > b.variable ? 1 : a.component < b.component ? -1 : 1));
}

export type { OptionSpecValue };

/** The `port` option of `component` whose value is `port`, for "use another port" hints; null when none. */
export function portOptionFor(components: ConfiguredComponent[], component: string, port: number): string | null {
  const c = components.find((x) => x.name === component);
  if (!c) return null;
  const declared = c.definition.options ?? {};
  return Object.keys(declared).find((name) => declared[name].type === 'port' && c.options.values[name] === port) ?? null;
}
