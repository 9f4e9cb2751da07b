/** The home / search page and the interface page. Pure: view model in, markup out. */
import { html, segment, type Html } from './html.js';
import type { ImplementationView, InterfaceView, SearchView } from './view-model.js';

const componentHref = (name: string): string => `/c/${segment(name)}`;
export const interfaceHref = (name: string): string => `/i/${segment(name)}`;

export function interfaceBadges(names: string[]): Html {
  return html`${names.map((p) => html`<a class="badge iface" href="${interfaceHref(p)}">${p}</a>`)}`;
}

export function homePage(v: SearchView): Html {
  const filtered = v.q !== '' || v.provides !== '';
  const nextHref = v.next ? `/?${new URLSearchParams({ ...(v.q ? { q: v.q } : {}), ...(v.provides ? { provides: v.provides } : {}), cursor: v.next })}` : null;
  const firstHref = `/?${new URLSearchParams({ ...(v.q ? { q: v.q } : {}), ...(v.provides ? { provides: v.provides } : {}) })}`;
  return html`
<h1>Component catalog</h1>
<p class="lead">Components this team publishes for <code>hsm</code> stacks: Python packages, Compose services, or both.</p>
<form class="search" action="/" method="get" role="search">
<label class="grow">Text<input type="search" name="q" value="${v.q}" placeholder="name, description or interface"></label>
<label>Interface<select name="provides" data-autosubmit>
<option value="">any interface</option>
${v.interfaces.map((i) => html`<option value="${i.name}"${i.name === v.provides ? html` selected` : ''}>${i.name} (${i.components})</option>`)}
</select></label>
<button class="btn" type="submit">Search</button>
</form>
<h2>${filtered ? `Results${v.provides ? ` providing ${v.provides}` : ''}${v.q ? ` for “${v.q}”` : ''}` : 'All components'}</h2>
${v.hits.length === 0 ? html`<div class="panel"><p>No component matches. <a href="/">Show all components</a>.</p></div>` : ''}
<div class="results">
${v.hits.map(
  (h) => html`<article class="result">
<h2><a href="${componentHref(h.name)}">${h.name}</a>${h.newest ? html`<span class="badge version">${h.newest}</span>` : ''}${h.allYanked ? html`<span class="badge yanked">yanked</span>` : ''}</h2>
<div class="meta">team <span class="badge team">${h.team}</span></div>
${h.description ? html`<p>${h.description}</p>` : ''}
${h.provides.length ? html`<div class="tags" aria-label="Interfaces provided">${interfaceBadges(h.provides)}</div>` : ''}
</article>`,
)}
</div>
<nav class="pager" aria-label="Pages">
${v.paged ? html`<a href="${firstHref}">← First page</a>` : ''}
${nextHref ? html`<a href="${nextHref}" rel="next">Next page →</a>` : ''}
</nav>`;
}

function implementationCard(i: ImplementationView): Html {
  return html`<article class="card">
<h2><a href="${componentHref(i.name)}">${i.name}</a>${i.version ? html`<span class="badge version">${i.version}</span>` : ''}</h2>
${i.description ? html`<p>${i.description}</p>` : ''}
<dl>
<dt>Team</dt><dd>${i.team}</dd>
<dt>Python</dt><dd>${i.python ? html`<code>${i.python.requirement}</code>` : html`<span class="muted">none</span>`}</dd>
<dt>Images</dt><dd>${i.images.length ? i.images.map((img, n) => html`${n ? html`<br>` : ''}<code>${img}</code>`) : html`<span class="muted">none</span>`}</dd>
${i.requires.length ? html`<dt>Requires</dt><dd>${i.requires.join(', ')}</dd>` : ''}
</dl>
</article>`;
}

export function interfacePage(v: InterfaceView): Html {
  return html`
<p class="muted"><a href="/">Catalog</a> › interface</p>
<h1>Interface <code>${v.name}</code></h1>
<p class="lead">${v.implementations.length} implementation${v.implementations.length === 1 ? '' : 's'}${v.truncated ? ' (the first ones by name)' : ''}. A stack picks one (or several, for a <code>many</code> group) with <code>hsm use ${v.name} NAME</code>.</p>
${v.implementations.length === 0 ? html`<div class="panel"><p>No published component provides <code>${v.name}</code> yet.</p></div>` : ''}
<div class="cards">${v.implementations.map(implementationCard)}</div>`;
}

export function loginPage(next: string, problem: string | null): Html {
  return html`<div class="login panel">
<h1>Sign in</h1>
<p class="lead">This registry needs a token with the <code>read</code> scope. It is kept in a cookie for this site only (HttpOnly, SameSite=Strict).</p>
${problem ? html`<div class="notice bad" role="alert">${problem}</div>` : ''}
<form action="/login" method="post">
<input type="hidden" name="next" value="${next}">
<label>Token<input type="password" name="token" autocomplete="current-password" required spellcheck="false"></label>
<button class="btn" type="submit">Sign in</button>
</form>
</div>`;
}
