/**
 * `${{ options.NAME }}` references in a definition (issue 11). The syntax cannot collide with Compose's own
 * `${VAR}` interpolation, which hsm leaves alone. References may appear in the values (never the keys) of
 * `services`, `env` and `python.requirement`; each must name a declared option.
 */
import { didYouMean } from '../did-you-mean.js';

/** Any `${{ … }}` (well-formed or not), so a typo like `${{ option.port }}` is an error, not literal text. */
export const ANY_REFERENCE = /\$\{\{([^}]*)\}\}/g;
const WELL_FORMED = /^\s*options\.([a-z][a-z0-9_]{0,63})\s*$/;

export interface Reference {
  name: string;
  /** Where in the definition, e.g. `['services', 'postgres', 'ports', 0]`. */
  path: (string | number)[];
}

export interface ReferenceProblem {
  path: (string | number)[];
  message: string;
}

/** The option name of a `${{ … }}` body, or null when it is not `options.NAME`. */
export function referenceName(body: string): string | null {
  const m = WELL_FORMED.exec(body);
  return m ? m[1] : null;
}

/** `${{ options.port }}` alone (the reference is the whole value: it keeps the option's type). */
export function wholeReference(value: string): string | null {
  const m = /^\$\{\{([^}]*)\}\}$/.exec(value);
  return m ? referenceName(m[1]) : null;
}

interface Walkable {
  services?: unknown;
  env?: unknown;
  python?: { requirement?: unknown } | undefined;
  options?: Record<string, { secret?: boolean }>;
}

/** Calls `visit` for every string value under the fields that may hold references, and flags references in keys. */
function walk(d: Walkable, visit: (text: string, path: (string | number)[]) => void, keyProblem: (path: (string | number)[]) => void): void {
  const go = (v: unknown, path: (string | number)[]) => {
    if (typeof v === 'string') visit(v, path);
    else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) go(x, [...path, i]);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('${{')) keyProblem([...path, k]);
        go(x, [...path, k]);
      }
    }
  };
  go(d.services, ['services']);
  go(d.env, ['env']);
  if (d.python && typeof d.python.requirement === 'string') go(d.python.requirement, ['python', 'requirement']);
}

/** Every reference in the definition (well-formed ones only), in document order. */
export function findReferences(d: Walkable): Reference[] {
  const out: Reference[] = [];
  walk(
    d,
    (text, path) => {
      for (const m of text.matchAll(ANY_REFERENCE)) {
        const name = referenceName(m[1]);
        if (name) out.push({ name, path });
      }
    },
    () => {},
  );
  return out;
}

/** Problems with the references of a definition: malformed, undeclared, in a key, or a secret where it would leak. */
export function checkOptionReferences(d: Walkable): ReferenceProblem[] {
  const declared = d.options ?? {};
  const problems: ReferenceProblem[] = [];
  walk(
    d,
    (text, path) => {
      for (const m of text.matchAll(ANY_REFERENCE)) {
        const name = referenceName(m[1]);
        if (name === null) {
          problems.push({ path, message: `\`${m[0]}\` is not an option reference: write \`\${{ options.NAME }}\`` });
        } else if (!(name in declared)) {
          problems.push({ path, message: `\`${m[0]}\` names an undeclared option \`${name}\`${didYouMean(name, Object.keys(declared))}: declare it under \`options\`` });
        } else if (declared[name].secret && path[0] === 'python') {
          // pyproject.toml is committed: a secret there would leave the machine
          problems.push({ path, message: `secret option \`${name}\` cannot be used in \`python.requirement\` (it would be written to pyproject.toml)` });
        }
      }
    },
    (path) => problems.push({ path, message: 'option references go in values, not in keys' }),
  );
  return problems;
}
