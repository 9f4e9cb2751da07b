/**
 * Which secret variables a generated compose file reads, and which of them the user has not set (for `hsm up`
 * and `hsm doctor`, issue 11). Pure: the shell hands in the texts and the environment's names — never values.
 */
const SECRET_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*):\?set \1 in \.env\}/g;

/** Variables named by `${VAR:?set VAR in .env}` in a generated compose file, sorted, once each. */
export function secretVariablesIn(composeText: string | null): string[] {
  if (!composeText) return [];
  return [...new Set([...composeText.matchAll(SECRET_REFERENCE)].map((m) => m[1]))].sort();
}

/** Names a dotenv file sets to something non-empty (`KEY=value`, `export KEY=value`); comments ignored. */
export function dotenvNames(text: string | null): Set<string> {
  const out = new Set<string>();
  for (const line of (text ?? '').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m && m[2].trim() !== '' && m[2].trim() !== "''" && m[2].trim() !== '""') out.add(m[1]);
  }
  return out;
}

/** The secret variables neither the environment nor `.env` sets. */
export function unsetSecretVariables(composeText: string | null, dotenvText: string | null, environmentNames: Iterable<string>): string[] {
  const set = dotenvNames(dotenvText);
  for (const n of environmentNames) set.add(n);
  return secretVariablesIn(composeText).filter((v) => !set.has(v));
}
