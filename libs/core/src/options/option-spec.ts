/**
 * What a definition declares under `options:` (issue 11): a typed, documented knob per name. The rules that tie
 * fields together (a default that fits its own type, enum or range; a secret that names its variable and has no
 * default) are checked here, so a definition that breaks them fails at load and at publish like any other field.
 */
import * as z from 'zod';
import { EnvName } from '../schema/common.js';

export const OptionName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lowercase option name like `port` or `api_key`');

export const OPTION_TYPES = ['string', 'integer', 'boolean', 'port'] as const;
export type OptionType = (typeof OPTION_TYPES)[number];

/** A value an option can hold once typed. */
export type OptionValue = string | number | boolean;
const Scalar = z.union([z.string().max(1024), z.number(), z.boolean()]);

export const OptionSpec = z
  .strictObject({
    type: z.enum(OPTION_TYPES),
    default: Scalar.optional(),
    enum: z.array(Scalar).min(1).max(256).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** A JavaScript regular expression the whole string value must match. */
    pattern: z.string().min(1).max(256).optional(),
    description: z.string().max(500).optional(),
    /** The value comes from the user's environment (`env`) at run time and never reaches a file hsm writes. */
    secret: z.boolean().optional(),
    env: EnvName.optional(),
  })
  .superRefine((o, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (o.secret) {
      if (o.type !== 'string') issue('type', 'a secret option must have `type: string`');
      if (o.default !== undefined) issue('default', 'a secret option has no default: its value comes from the variable named by `env`');
      if (o.env === undefined) issue('env', 'a secret option must name the environment variable its value comes from (`env: OPENAI_API_KEY`)');
      if (o.enum !== undefined) issue('enum', 'a secret option cannot have an `enum`');
    } else if (o.env !== undefined) {
      issue('env', '`env` names where a secret comes from: set `secret: true`, or drop `env`');
    }
    if ((o.min !== undefined || o.max !== undefined) && o.type !== 'integer' && o.type !== 'port') issue('min', '`min`/`max` apply to `integer` and `port` options only');
    if (o.min !== undefined && o.max !== undefined && o.min > o.max) issue('min', '`min` is greater than `max`');
    if (o.pattern !== undefined) {
      if (o.type !== 'string') issue('pattern', '`pattern` applies to `string` options only');
      else if (compilePattern(o.pattern) === null) issue('pattern', 'is not a valid regular expression');
    }
    for (const [i, v] of (o.enum ?? []).entries()) {
      const problem = typeProblem(o.type, v) ?? rangeProblem({ ...o, enum: undefined }, v);
      if (problem) ctx.addIssue({ code: 'custom', message: `enum value ${JSON.stringify(v)}: ${problem}`, path: ['enum', i] });
    }
    if (o.default !== undefined && !o.secret) {
      const problem = valueProblem(o as OptionSpecValue, o.default);
      if (problem) issue('default', `the default ${JSON.stringify(o.default)} ${problem}`);
    }
  });
export type OptionSpecValue = z.infer<typeof OptionSpec>;

/** `^(?:pattern)$` compiled, or null when it is not a regular expression. */
export function compilePattern(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null;
  }
}

/** What an option of `type` accepts, for messages: `port (an integer 1–65535)`. */
export function describeType(type: OptionType): string {
  switch (type) {
    case 'port':
      return 'port (an integer 1–65535)';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean (true or false)';
    default:
      return 'string';
  }
}

function kindOf(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return v === null ? 'null' : 'a list or mapping';
}

/** Why `v` is not of `type` (null when it is). YAML already typed the value: "5433" is not a port, 5433 is. */
export function typeProblem(type: OptionType, v: unknown): string | null {
  const want = `expected ${describeType(type)}, got ${kindOf(v)}`;
  switch (type) {
    case 'string':
      return typeof v === 'string' ? null : `${want}${typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: "${String(v)}")` : ''}`;
    case 'boolean':
      return typeof v === 'boolean' ? null : want;
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v) ? null : want;
    case 'port':
      if (typeof v !== 'number' || !Number.isInteger(v)) return want;
      return v >= 1 && v <= 65535 ? null : `expected a port 1–65535, got ${v}`;
  }
}

function rangeProblem(o: Pick<OptionSpecValue, 'min' | 'max' | 'pattern' | 'enum'>, v: OptionValue): string | null {
  if (typeof v === 'number') {
    if (o.min !== undefined && v < o.min) return `is below the minimum ${o.min}`;
    if (o.max !== undefined && v > o.max) return `is above the maximum ${o.max}`;
  }
  if (typeof v === 'string' && o.pattern !== undefined) {
    const re = compilePattern(o.pattern);
    if (re && !re.test(v)) return `does not match the pattern ${o.pattern}`;
  }
  if (o.enum !== undefined && !o.enum.some((e) => e === v)) return `is not one of the allowed values: ${o.enum.map((e) => String(e)).join(', ')}`;
  return null;
}

/** Why `v` is not a valid value of the option (null when it is). */
export function valueProblem(o: OptionSpecValue, v: unknown): string | null {
  return typeProblem(o.type, v) ?? rangeProblem(o, v as OptionValue);
}

/** The allowed values of an option in words, for `hsm info` and hints: `16.6 | 17.2`, `1024–65535`. */
export function allowedValues(o: OptionSpecValue): string {
  if (o.enum) return o.enum.map((e) => String(e)).join(' | ');
  if (o.type === 'boolean') return 'true | false';
  if (o.type === 'port' || o.type === 'integer') {
    const lo = o.min ?? (o.type === 'port' ? 1 : undefined);
    const hi = o.max ?? (o.type === 'port' ? 65535 : undefined);
    if (lo !== undefined || hi !== undefined) return `${lo ?? '…'}–${hi ?? '…'}`;
    return 'any integer';
  }
  if (o.pattern) return `matching ${o.pattern}`;
  return o.secret ? `from $${o.env}` : 'any string';
}

/**
 * A value typed on the command line (`--with port=5433`, `hsm set NAME KEY=VALUE`) converted to the option's
 * type, so hsm.yaml gets `port: 5433` and never the string "5433" (Helm's `--set` trap). Null when it does not
 * convert; the caller reports it with the same rules as a value in hsm.yaml.
 */
export function coerceCommandLineValue(type: OptionType, text: string): OptionValue | null {
  if (type === 'string') return text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
  if (!/^-?\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}
