/** The component page `/c/{name}[/{version}]`. Pure: view model in, markup out; every definition value escaped. */
import { stringify } from 'yaml';
import semver from 'semver';
import { html, safeHttpUrl, segment, trusted, type Html } from './html.js';
import { interfaceBadges, interfaceHref } from './catalog-pages.js';
import type { ComponentView, VersionRow } from './view-model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

const componentHref = (name: string): string => `/c/${segment(name)}`;
const versionHref = (name: string, version: string): string => `/c/${segment(name)}/${segment(version)}`;

/** `sha256:` and the first 12 hex digits; the full digest is in the title and in the About box. */
function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.length > colon + 13 ? `${digest.slice(0, colon + 13)}…` : digest;
}

function date(iso: string): string {
  return iso.slice(0, 10);
}

function copyLine(command: string): Html {
  return html`<div class="copy"><code>${command}</code><button type="button" data-copy="${command}" hidden>Copy</button></div>`;
}

function versionsTable(v: ComponentView): Html {
  const row = (r: VersionRow) => html`<tr${r.version === v.selected.version ? html` class="selected" aria-current="true"` : ''}>
<td><a href="${versionHref(v.name, r.version)}" class="mono">${r.version}</a>${r.yanked ? html` <span class="badge yanked">yanked</span>` : ''}${r.yanked && r.yankReason ? html`<div class="reason">${r.yankReason}</div>` : ''}<div class="digest" title="${r.digest}">${shortDigest(r.digest)}</div></td>
<td><time datetime="${r.publishedAt}">${date(r.publishedAt)}</time></td>
</tr>`;
  return html`<table class="versions"><thead><tr><th scope="col">Version and digest</th><th scope="col">Published</th></tr></thead><tbody>${v.versions.map(row)}</tbody></table>`;
}

function requirementList(def: Obj): Html {
  const requires = Array.isArray(def.requires) ? def.requires : [];
  const items = requires.map((r) => {
    if (typeof r === 'string') {
      const at = r.indexOf('@');
      const name = at < 0 ? r : r.slice(0, at);
      return html`<li><a href="${componentHref(name)}">${name}</a>${at < 0 ? '' : html` <code>${r.slice(at + 1)}</code>`}</li>`;
    }
    const iface = isObj(r) ? str(r.interface) : '';
    return html`<li>interface <a class="badge iface" href="${interfaceHref(iface)}">${iface}</a></li>`;
  });
  return items.length ? html`<ul class="plain">${items}</ul>` : html`<p class="muted">Nothing.</p>`;
}

function optionsTable(options: unknown): Html {
  if (!isObj(options) || Object.keys(options).length === 0) return html``;
  const rows = Object.keys(options)
    .sort()
    .map((name) => {
      const o = isObj(options[name]) ? (options[name] as Obj) : {};
      const allowed = Array.isArray(o.enum)
        ? o.enum.map(str).join(', ')
        : [o.min !== undefined ? `≥ ${str(o.min)}` : '', o.max !== undefined ? `≤ ${str(o.max)}` : '', o.pattern !== undefined ? `matches ${str(o.pattern)}` : ''].filter(Boolean).join(', ');
      return html`<tr><td><code>${name}</code>${o.secret === true ? html` <span class="badge secret">secret</span>` : ''}</td><td>${str(o.type)}</td><td>${o.default === undefined ? html`<span class="muted">—</span>` : html`<code>${str(o.default)}</code>`}</td><td>${allowed}</td><td>${str(o.description)}</td></tr>`;
    });
  return html`<section class="panel" aria-labelledby="options"><h2 id="options">Options</h2><p class="muted">Set per component under <code>with:</code> in hsm.yaml.</p>
<div class="scroll"><table><thead><tr><th scope="col">Option</th><th scope="col">Type</th><th scope="col">Default</th><th scope="col">Allowed</th><th scope="col">Description</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function servicesTable(services: unknown): Html {
  if (!isObj(services) || Object.keys(services).length === 0) return html``;
  const rows = Object.keys(services)
    .sort()
    .map((name) => {
      const s = isObj(services[name]) ? (services[name] as Obj) : {};
      const ports = Array.isArray(s.ports) ? s.ports.map(str) : [];
      const dev = isObj(s.dev) ? s.dev : null;
      return html`<tr><td><code>${name}</code></td><td>${s.image === undefined ? html`<span class="muted">built</span>` : html`<code>${str(s.image)}</code>`}</td><td>${ports.map((p, i) => html`${i ? ', ' : ''}<code>${p}</code>`)}</td><td>${dev ? (dev.build !== undefined ? 'built from the checkout' : 'dev overrides') : html`<span class="muted">—</span>`}</td></tr>`;
    });
  return html`<section class="panel" aria-labelledby="services"><h2 id="services">Services and images</h2>
<div class="scroll"><table><thead><tr><th scope="col">Service</th><th scope="col">Image</th><th scope="col">Ports</th><th scope="col">Dev mode</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function pythonFacts(def: Obj, version: string): Html {
  const py = isObj(def.python) ? def.python : null;
  if (!py) return html`<p class="muted">No Python package: services only.</p>`;
  const source = isObj(py.source) ? py.source : null;
  const index = isObj(py.index) ? py.index : null;
  return html`<dl class="facts">
<dt>Package</dt><dd><code>${str(py.package)}</code></dd>
<dt>Requirement</dt><dd><code>${py.requirement !== undefined ? str(py.requirement) : `${str(py.package)}==${version}`}</code></dd>
${index ? html`<dt>Index</dt><dd>${str(index.name)} <code>${str(index.url)}</code></dd>` : ''}
${source?.git !== undefined ? html`<dt>Dev source</dt><dd><code>${str(source.git)}</code>${source.ref !== undefined ? html` at <code>${str(source.ref)}</code>` : ''}</dd>` : ''}
</dl>`;
}

export function componentPage(v: ComponentView): Html {
  const def = v.selected.definition;
  const homepage = typeof def.homepage === 'string' ? def.homepage : undefined;
  const link = safeHttpUrl(homepage);
  const major = semver.major(v.selected.version);
  const conflicts = Array.isArray(def.conflicts) ? def.conflicts.map(str) : [];
  const provides = Array.isArray(def.provides) ? def.provides.map(str) : [];
  const env = isObj(def.env) ? def.env : {};
  return html`
<p class="muted"><a href="/">Catalog</a> › component</p>
<h1>${v.name} <span class="badge version">${v.selected.version}</span>${v.selected.yanked ? html` <span class="badge yanked">yanked</span>` : ''}</h1>
${v.selected.yanked ? html`<div class="notice bad" role="status">Version ${v.selected.version} is yanked${v.selected.yankReason ? html`: ${v.selected.yankReason}` : ''}. New stacks do not resolve to it.</div>` : ''}
<p class="lead">${str(def.description) || v.description}</p>
<div class="grid">
<div>
<section class="panel" aria-labelledby="use"><h2 id="use">Use it</h2>
${copyLine(`hsm add ${v.name}@^${major}`)}
${provides.map((p) => copyLine(`hsm use ${p} ${v.name}`))}
</section>
<section class="panel" aria-labelledby="deps"><h2 id="deps">Dependencies of ${v.selected.version}</h2>
${v.svg ? html`<figure class="graph" aria-label="Dependency graph">${trusted(v.svg)}</figure>` : ''}
<h3>Requires</h3>${requirementList(def)}
<h3>Provides</h3>${provides.length ? html`<div class="tags">${interfaceBadges(provides)}</div>` : html`<p class="muted">No interface.</p>`}
<h3>Conflicts with</h3>${conflicts.length ? html`<ul class="plain">${conflicts.map((c) => html`<li><a href="${componentHref(c)}">${c}</a></li>`)}</ul>` : html`<p class="muted">Nothing.</p>`}
</section>
${optionsTable(def.options)}
${servicesTable(def.services)}
<section class="panel" aria-labelledby="python"><h2 id="python">Python</h2>${pythonFacts(def, v.selected.version)}</section>
${
  Object.keys(env).length
    ? html`<section class="panel" aria-labelledby="env"><h2 id="env">Environment</h2><dl class="facts">${Object.keys(env)
        .sort()
        .map((k) => html`<dt><code>${k}</code></dt><dd><code>${str(env[k])}</code></dd>`)}</dl></section>`
    : ''
}
<section class="panel" aria-labelledby="definition"><h2 id="definition">Definition (YAML)</h2><pre><code>${stringify(def)}</code></pre></section>
</div>
<aside>
<section class="panel" aria-labelledby="about"><h2 id="about">About</h2><dl class="facts">
<dt>Team</dt><dd><span class="badge team">${v.team}</span></dd>
<dt>Homepage</dt><dd>${link ? html`<a href="${link}" rel="nofollow noopener">${homepage}</a>` : homepage ? html`<code>${homepage}</code>` : html`<span class="muted">—</span>`}</dd>
<dt>Published</dt><dd>${date(v.selected.publishedAt)}</dd>
<dt>Digest</dt><dd class="mono">${v.selected.digest}</dd>
</dl></section>
<section class="panel" aria-labelledby="versions"><h2 id="versions">Versions</h2>${versionsTable(v)}</section>
</aside>
</div>`;
}
