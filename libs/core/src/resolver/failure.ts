/**
 * Why the resolver found no stack, as one coded error: a name no registry has, the search giving up, or the
 * deepest dead end of the search explained as a chain (`b@^2 required by a 1.0.0, which is listed in hsm.yaml`).
 */
import { ErrorCodes, HsmError } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import type { RegistrySnapshot } from '../model.js';
import { describeReason } from './describe.js';
import type { Constraint, Failure, Rejection, Source } from './resolve-model.js';

export function notFound(name: string, source: Extract<Source, { kind: 'missing' }>, registries: RegistrySnapshot[], cs: Constraint[]): HsmError {
  const known = new Set<string>();
  for (const r of registries) for (const [n, e] of r.components) if (e.length) known.add(n);
  const why = cs.map((c) => describeReason(c.reason));
  if (source.lockedRegistry) {
    return new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `hsm.lock takes ${name} from registry ${source.lockedRegistry}, which no longer has it`, {
      details: why,
      hint: `run \`hsm sync --upgrade-component ${name}\` to look it up again in every registry`,
    });
  }
  const where = source.pinned ? `registry ${source.pinned} (pinned in hsm.yaml)` : `any registry (searched: ${registries.map((r) => r.name).join(', ') || 'none'})`;
  return new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `component ${name} is not in ${where}${didYouMean(name, known)}`, {
    details: why,
    hint: `\`hsm search ${name}\` lists what the registries offer; \`hsm remove ${name}\` drops it from hsm.yaml`,
  });
}

/** The search stopped after examining `limit` candidate versions (search.ts MAX_STEPS). */
export function tooHard(limit: number, deepest: Failure | undefined, sources: ReadonlyMap<string, Source>, registries: RegistrySnapshot[]): HsmError {
  const cause = deepest ? failureError(deepest, sources, registries) : undefined;
  return new HsmError(ErrorCodes.UNSATISFIABLE, `gave up after examining ${limit} candidate versions without finding a consistent stack${deepest ? `; the furthest attempt failed at ${deepest.name}` : ''}`, {
    details: cause ? [cause.message, ...cause.details] : [],
    hint: cause?.hint ?? 'narrow the version ranges in hsm.yaml so fewer combinations need trying',
  });
}

export function failureError(f: Failure, sources: ReadonlyMap<string, Source>, registries: RegistrySnapshot[]): HsmError {
  const source = sources.get(f.name)!;
  if (source.kind === 'missing') return notFound(f.name, source, registries, f.constraints);
  // Versions outside the ranges explain nothing more than the ranges do: the code and the headline come
  // from why the versions inside them were turned down.
  const inRange = f.tried.filter((t) => t.rejection.kind !== 'range' && t.rejection.kind !== 'yanked');
  const kinds = new Set(inRange.map((t) => t.rejection.kind));
  const only = kinds.size === 1 ? [...kinds][0] : undefined;
  const head = inRange[0] ?? f.tried[0];
  const code =
    only === 'conflict' ? ErrorCodes.CONFLICT : only === 'group-member' || only === 'group-outsider' ? ErrorCodes.GROUP_INVALID : only === 'requires-missing' ? ErrorCodes.COMPONENT_NOT_FOUND : ErrorCodes.UNSATISFIABLE;
  const via = f.via;
  const tried = f.tried.map((t) => `${f.name} ${t.version}: ${describeRejection(f.name, t.rejection)}`);
  let message: string;
  let hint: string;
  if (only === 'conflict' && head.rejection.kind === 'conflict') {
    const r = head.rejection;
    const why = (name: string, lines: string[]) => `${name} is ${lines.map((l) => l.slice(l.indexOf(' ') + 1)).join(' and ')}`;
    message = `${f.name} ${head.version} conflicts with ${r.other} ${r.otherVersion}; ${why(f.name, f.via)}; ${r.other} is ${(f.otherVia ?? []).join(' and ')}`;
    hint = `keep one of them: \`hsm remove ${f.name}\` or \`hsm remove ${r.other}\` (\`hsm why NAME\` shows what pulls each in)`;
  } else if ((only === 'group-outsider' || only === 'group-member') && 'group' in head.rejection) {
    const g = head.rejection.group;
    message =
      only === 'group-outsider'
        ? `${f.name} provides ${g}, but group ${g} in hsm.yaml does not use it; ${f.constraints.map((c) => describeReason(c.reason)).join('; ')}`
        : `group ${g} uses ${f.name}, but no acceptable version of ${f.name} provides ${g}`;
    hint = only === 'group-outsider' ? `add it to the group (\`hsm use ${g} … ${f.name}\`) or \`hsm remove ${f.name}\`` : `pick another member: \`hsm use ${g} <name>\``;
  } else if (only === 'requires-missing' && head.rejection.kind === 'requires-missing') {
    message = `every version of ${f.name} requires a component no registry has (${head.rejection.dependency})`;
    hint = `\`hsm search ${head.rejection.dependency}\`; check the registries in hsm.yaml`;
  } else if (only === 'requires-version' && head.rejection.kind === 'requires-version' && f.dependencyVia) {
    message = `no version of ${head.rejection.dependency} satisfies every requirement: ${f.dependencyVia.join('; ')}`;
    hint = `relax the ranges above (hsm.yaml \`components.<name>.version\`) or try \`hsm sync --upgrade\``;
  } else {
    message = `no version of ${f.name} satisfies every requirement: ${via.join('; ')}`;
    hint = `relax the ranges above (hsm.yaml \`components.<name>.version\`) or try \`hsm sync --upgrade\``;
  }
  const available = (name: string): string[] => {
    const s = sources.get(name);
    return s?.kind === 'found' ? [`available in ${s.registry}: ${s.entries.map((e) => e.version + (e.yanked ? ' (yanked)' : '')).join(', ')}`] : [];
  };
  const about = head.rejection.kind === 'requires-version' && message.startsWith(`no version of ${head.rejection.dependency} `) ? head.rejection.dependency : f.name;
  return new HsmError(code, message, { hint, details: [...tried, ...available(about)] });
}

function describeRejection(name: string, r: Rejection): string {
  switch (r.kind) {
    case 'yanked':
      return 'yanked';
    case 'range':
      return `outside ${r.constraint.range} (${describeReason(r.constraint.reason.kind === 'requires' || r.constraint.reason.kind === 'manifest' ? { ...r.constraint.reason, range: '*' } : r.constraint.reason)})`;
    case 'group-member':
      return `does not provide ${r.group} (group ${r.group} uses it)`;
    case 'group-outsider':
      return `provides ${r.group}, but group ${r.group} does not use ${name}`;
    case 'conflict':
      return `conflicts with ${r.other} ${r.otherVersion}`;
    case 'requires-missing':
      return `requires ${r.dependency}, which no registry has`;
    case 'requires-version':
      return `requires ${r.dependency}@${r.range}, but ${r.dependency} ${r.chosen} is chosen`;
  }
}
