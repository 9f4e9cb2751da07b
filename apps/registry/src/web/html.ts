/**
 * The pages' only templating: a tagged template that escapes every interpolated value unless it is already
 * `Html`. Definitions are untrusted input (SPEC §10), so escaping is the default and opting out is explicit.
 */

/** Markup that is safe to insert as is (built by `html` or `trusted`). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

type Value = Html | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false || v === true) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** `html\`<p>${text}</p>\``: strings and numbers are escaped; Html and arrays of them are inserted; null, undefined and booleans render nothing. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup produced by something that escapes on its own (Graphviz's SVG). Never pass definition text here. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** A link target for a path segment: percent-encoded (then escaped by `html` like any value). */
export function segment(text: string): string {
  return encodeURIComponent(text);
}

/** Only http(s) URLs become links; anything else (`javascript:`…) is shown as text. */
export function safeHttpUrl(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}
