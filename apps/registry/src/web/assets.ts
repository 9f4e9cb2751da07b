/**
 * The pages' stylesheet, script and icon, served by the service itself (no CDN: the pages work offline on an
 * intranet). Names carry a content hash, so they are cached for a year and a new release is fetched at once.
 * The script is progressive enhancement only (copy buttons, auto-submitting the interface filter).
 */
import { createHash } from 'node:crypto';

const CSS = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --text: #1d2330; --muted: #5b6475; --line: #dfe3ea; --accent: #1f4e8c;
  --accent-soft: #e7eef8; --good: #2f7d32; --good-soft: #e8f4e9; --bad: #9b2c2c; --bad-soft: #fbeaea; --code: #f1f3f6;
  --radius: 8px; --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover, a:focus-visible { text-decoration: underline; }
p a, footer a, .notice a { text-decoration: underline; }
:focus-visible { outline: 3px solid #7aa7e0; outline-offset: 2px; }
code, pre, .mono { font-family: var(--mono); font-size: 0.88em; }
.skip { position: absolute; left: -999px; top: 0; background: var(--panel); padding: 8px 12px; z-index: 2; }
.skip:focus { left: 8px; }
header.top { background: #17325a; color: #fff; }
header.top .wrap { display: flex; align-items: center; gap: 20px; flex-wrap: wrap; padding-top: 12px; padding-bottom: 12px; }
header.top a.brand { color: #fff; font-weight: 700; font-size: 17px; letter-spacing: 0.2px; display: flex; align-items: center; gap: 8px; }
header.top a.brand img { width: 24px; height: 24px; }
header.top nav { margin-left: auto; display: flex; gap: 16px; align-items: center; }
header.top nav a, header.top nav button { color: #d6e2f5; font: inherit; }
header.top nav button { background: none; border: 0; cursor: pointer; padding: 0; }
header.top form.quick { flex: 1 1 260px; max-width: 440px; display: flex; }
header.top form.quick input { width: 100%; border: 0; border-radius: var(--radius); padding: 7px 12px; font: inherit; }
.wrap { max-width: 1120px; margin: 0 auto; padding: 0 20px; }
main { padding: 28px 0 48px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 16px 0 8px; }
p.lead { color: var(--muted); margin: 0 0 16px; font-size: 16px; }
.muted { color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 18px 20px; margin-bottom: 18px; }
.panel > :last-child { margin-bottom: 0; }
.grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 18px; align-items: start; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 16px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px 18px; display: flex; flex-direction: column; gap: 8px; }
.card h2 { font-size: 16px; margin: 0; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.card p { margin: 0; color: var(--muted); }
.card dl { margin: 4px 0 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; font-size: 14px; }
.card dt { color: var(--muted); }
.card dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; line-height: 1.6; white-space: nowrap; vertical-align: middle; }
.badge.iface { background: var(--good-soft); color: var(--good); }
.badge.version { background: var(--accent-soft); color: var(--accent); font-family: var(--mono); }
.badge.yanked { background: var(--bad-soft); color: var(--bad); }
.badge.secret { background: #fff1d6; color: #7a4b00; }
.badge.team { background: var(--code); color: var(--muted); }
.tags { display: flex; gap: 6px; flex-wrap: wrap; }
form.search { display: flex; gap: 10px; flex-wrap: wrap; margin-bottom: 20px; }
form.search label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; color: var(--muted); }
form.search label.grow { flex: 1 1 280px; }
input, select, button.btn { font: inherit; border: 1px solid #c4cbd6; border-radius: var(--radius); padding: 8px 12px; background: #fff; color: var(--text); }
button.btn { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; font-weight: 600; align-self: flex-end; }
button.btn:hover { background: #173d70; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
tr:last-child td { border-bottom: 0; }
tr.selected td { background: var(--accent-soft); }
table.versions .digest { font-family: var(--mono); font-size: 12px; color: var(--muted); margin-top: 2px; }
table.versions .reason { color: var(--bad); font-size: 13px; margin-top: 2px; }
td time { white-space: nowrap; }
.scroll { overflow-x: auto; }
pre { background: var(--code); border-radius: var(--radius); padding: 12px 14px; overflow-x: auto; margin: 0; line-height: 1.5; }
.copy { display: flex; align-items: center; gap: 8px; background: var(--code); border-radius: var(--radius); padding: 6px 6px 6px 12px; margin-bottom: 8px; }
.copy code { flex: 1; overflow-x: auto; white-space: nowrap; }
.copy button { font: 600 12px/1 system-ui, sans-serif; border: 1px solid #c4cbd6; background: #fff; border-radius: 6px; padding: 6px 10px; cursor: pointer; color: var(--text); }
.copy button.done { background: var(--good-soft); border-color: var(--good); color: var(--good); }
.notice { border-radius: var(--radius); padding: 10px 14px; margin-bottom: 16px; }
.notice.bad { background: var(--bad-soft); color: var(--bad); border: 1px solid #efc4c4; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain li { padding: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 0; font-size: 14px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.graph { overflow-x: auto; text-align: center; margin: 0 0 8px; }
.graph svg { max-width: 100%; height: auto; }
.graph svg a:hover text, .graph svg a:focus text { text-decoration: underline; }
.pager { display: flex; gap: 16px; margin-top: 18px; }
.results { display: flex; flex-direction: column; gap: 12px; }
.result { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 18px; display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 4px 16px; }
.result h2 { font-size: 16px; margin: 0; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.result p { margin: 0; color: var(--muted); grid-column: 1 / -1; }
.result .tags { grid-column: 1 / -1; }
.result .meta { color: var(--muted); font-size: 13px; text-align: right; }
.login { max-width: 440px; margin: 40px auto; }
.login label { display: flex; flex-direction: column; gap: 6px; margin-bottom: 14px; font-weight: 600; }
.login input { width: 100%; font-family: var(--mono); }
footer { color: var(--muted); font-size: 13px; padding: 20px 0 32px; border-top: 1px solid var(--line); }
@media (max-width: 820px) {
  .grid { grid-template-columns: minmax(0, 1fr); }
  header.top nav { margin-left: 0; }
  h1 { font-size: 22px; }
  .result { grid-template-columns: minmax(0, 1fr); }
  .result .meta { text-align: left; }
  .graph svg { max-width: none; } /* scroll the picture sideways rather than shrink its labels */
}
`;

const JS = `
'use strict';
document.querySelectorAll('button[data-copy]').forEach(function (b) {
  if (!navigator.clipboard) return;
  b.hidden = false;
  b.addEventListener('click', function () {
    navigator.clipboard.writeText(b.getAttribute('data-copy')).then(function () {
      b.textContent = 'Copied';
      b.classList.add('done');
      setTimeout(function () { b.textContent = 'Copy'; b.classList.remove('done'); }, 1500);
    });
  });
});
document.querySelectorAll('select[data-autosubmit]').forEach(function (s) {
  s.addEventListener('change', function () { s.form.submit(); });
});
`;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f6db5"/><g fill="#fff"><rect x="6" y="6" width="9" height="9" rx="2"/><rect x="17" y="6" width="9" height="9" rx="2" opacity=".75"/><rect x="6" y="17" width="9" height="9" rx="2" opacity=".75"/><rect x="17" y="17" width="9" height="9" rx="2"/></g></svg>`;

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
}

function asset(name: string, ext: string, type: string, text: string): Asset {
  const body = Buffer.from(text.trimStart(), 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return { path: `/assets/${name}.${hash}.${ext}`, type, body };
}

export const ASSETS = {
  css: asset('registry', 'css', 'text/css; charset=utf-8', CSS),
  js: asset('registry', 'js', 'text/javascript; charset=utf-8', JS),
  icon: asset('icon', 'svg', 'image/svg+xml', ICON),
};

export function findAsset(path: string): Asset | undefined {
  return Object.values(ASSETS).find((a) => a.path === path);
}
