/**
 * The plan-time refusal (issue 16): a component whose definition needs a capability hsm.yaml does not allow for it
 * stops the plan with HSM_SERVICE_UNSAFE before anything is written. Definitions come from registries, so they are
 * untrusted input; the allowance is a reviewed line in the shared manifest.
 */
import { ErrorCodes, HsmError } from '../errors.js';
import type { ResolvedComponent } from '../model.js';
import { CAPABILITIES } from './capabilities.js';
import { definitionFindings, type CapabilityFinding } from './definition-capabilities.js';

const MAX_DETAILS = 10;

export interface Refusal extends CapabilityFinding {
  component: ResolvedComponent;
}

/** Every finding of the stack's definitions that the manifest does not allow, components by name. */
export function unsafeFindings(components: readonly ResolvedComponent[], allowed: (component: string) => readonly string[]): Refusal[] {
  const out: Refusal[] = [];
  for (const component of [...components].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const allow = new Set(allowed(component.name));
    for (const f of definitionFindings(component.definition)) if (!allow.has(f.capability)) out.push({ ...f, component });
  }
  return out;
}

export function checkServiceSafety(components: readonly ResolvedComponent[], allowed: (component: string) => readonly string[]): void {
  const refused = unsafeFindings(components, allowed);
  if (refused.length === 0) return;
  const first = refused[0];
  const c = first.component;
  const needed = [...new Set(refused.filter((r) => r.component.name === c.name).map((r) => r.capability))];
  const allow = CAPABILITIES.filter((k) => needed.includes(k) || allowed(c.name).includes(k));
  throw new HsmError(ErrorCodes.SERVICE_UNSAFE, `${describe(first)} — needs capability ${first.capability}`, {
    location: locationOf(first),
    details: refused.slice(1, MAX_DETAILS + 1).map((r) => `also ${describe(r)}${locationOf(r) ? ` (${locationOf(r)})` : ''} — needs ${r.capability}`),
    hint: `hsm runs no definition that reaches into the host unless hsm.yaml allows it; if you trust ${c.name} ${c.version}, set \`components.${c.name}.allow: [${allow.join(', ')}]\` (or \`hsm add ${c.name} ${allow.map((k) => `--allow ${k}`).join(' ')}\`)`,
  });
}

function describe(r: Refusal): string {
  const c = r.component;
  return `component ${c.name} ${c.version} (registry ${c.registry}), service \`${r.service}\`, key \`${r.path.slice(2).join('.')}\`: ${r.what}`;
}

/** `file:line` of the key in a folder-registry definition; none for the built-in catalog and registry services. */
function locationOf(r: Refusal): string | undefined {
  const origin = r.component.origin;
  if (!origin) return undefined;
  for (let n = r.path.length; n > 0; n--) {
    const line = origin.lines[r.path.slice(0, n).join('.')];
    if (line !== undefined) return `${origin.file}:${line}`;
  }
  return `${origin.file}:1`;
}
