/**
 * `compose.link: env` (SPEC §6.2): `COMPOSE_FILE` in the project's `.env`, so a plain `docker compose` picks up the
 * generated file. Other lines keep their bytes. hsm's own line goes first, under a marker comment, so removing it
 * gives back the original file exactly; when the user already sets `COMPOSE_FILE`, hsm appends its files to that
 * line and later takes only the generated file out again.
 */
import { GENERATED_COMPOSE } from '../plan/project-files.js';
import { dotenvValue } from './render-env-file.js';

export const COMPOSE_ENV_MARKER = '# COMPOSE_FILE below is managed by hsm (compose.link: env in hsm.yaml)';

const ASSIGN = /^(\s*(?:export\s+)?COMPOSE_FILE\s*=\s*)(.*?)(\r?)$/;
const SEPARATOR = /^\s*(?:export\s+)?COMPOSE_PATH_SEPARATOR\s*=\s*['"]?([^'"\s]+)['"]?\s*\r?$/;

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t.replace(/\s+#.*$/, '');
}

/**
 * `dotenvText` (null: no `.env`) with `COMPOSE_FILE` listing `files` (joined with `:`, or the file's own
 * `COMPOSE_PATH_SEPARATOR`), or without hsm's part when `files` is null. Returns null when the file should not
 * exist: nothing is left of it.
 */
export function linkComposeEnv(dotenvText: string | null, files: string[] | null): string | null {
  const text = dotenvText ?? '';
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split('\n');
  // A final newline leaves an empty last element; lines keep their `\r`.
  const markerAt = lines.findIndex((l) => l.replace(/\r$/, '') === COMPOSE_ENV_MARKER);
  const ownAt = markerAt >= 0 && ASSIGN.test(lines[markerAt + 1] ?? '') ? markerAt + 1 : -1;
  const userAt = lines.findIndex((l, i) => i !== ownAt && ASSIGN.test(l));
  const sepLine = lines.find((l) => SEPARATOR.test(l));
  const sep = sepLine ? SEPARATOR.exec(sepLine)![1] : ':';

  if (files === null) {
    if (ownAt >= 0) {
      lines.splice(markerAt, 2);
      const out = lines.join('\n');
      return out === '' ? null : out;
    }
    if (userAt >= 0) {
      const m = ASSIGN.exec(lines[userAt])!;
      const raw = m[2];
      for (const f of [GENERATED_COMPOSE, `./${GENERATED_COMPOSE}`]) {
        const i = raw.indexOf(sep + f);
        const next = raw[i + sep.length + f.length];
        if (i >= 0 && (next === undefined || next === sep[0] || /['"\s]/.test(next))) {
          lines[userAt] = m[1] + raw.slice(0, i) + raw.slice(i + sep.length + f.length) + m[3];
          return lines.join('\n');
        }
      }
    }
    return dotenvText;
  }

  if (ownAt >= 0) {
    const m = ASSIGN.exec(lines[ownAt])!;
    const value = dotenvValue(files.join(sep));
    if (m[2] === value) return dotenvText;
    lines[ownAt] = m[1] + value + m[3];
    return lines.join('\n');
  }
  if (userAt >= 0) {
    // The user's own list: append only the generated file (the last of `files`), so it can be taken out again.
    const m = ASSIGN.exec(lines[userAt])!;
    const raw = m[2];
    const generated = files[files.length - 1];
    const list = unquote(raw).split(sep);
    if (generated === undefined || list.some((x) => x.replace(/^\.\//, '') === generated.replace(/^\.\//, ''))) return dotenvText;
    const quote = /^(['"]).*\1$/.exec(raw.trim())?.[1];
    // Insert before a closing quote or an inline comment, so the rest of the line keeps its bytes.
    const at = quote ? raw.lastIndexOf(quote) : (/\s+#/.exec(raw)?.index ?? raw.length);
    const inserted = raw.slice(0, at) + sep + generated + raw.slice(at);
    lines[userAt] = m[1] + inserted + m[3];
    return lines.join('\n');
  }
  return `${COMPOSE_ENV_MARKER}${nl}COMPOSE_FILE=${dotenvValue(files.join(sep))}${nl}${text}`;
}
