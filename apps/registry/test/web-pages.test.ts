/**
 * The web catalog over HTTP, on the real service and PostgreSQL: what every page says, escaping of definition
 * text, the security headers, sign-in on a token-only registry, and that the JSON API is unchanged with the
 * pages on or off. The browser tier (web-browser.test.ts) clicks through the same pages in Chromium.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { HOSTILE_DESCRIPTION, YANKED, publishFixtureCatalog } from '../../../test/support/web-catalog.js';
import { CONTENT_SECURITY_POLICY } from '../src/web/web.controller.js';

let reg: TestRegistry;
let publisher: string;

beforeAll(async () => {
  reg = await startRegistry();
  publisher = await publishFixtureCatalog(reg);
});
afterAll(async () => {
  await reg?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => reg.request('GET', path, { headers });

describe('pages', () => {
  test('home lists every component with newest version, interfaces and team; HTML with a strict CSP', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|https?:/);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    for (const n of ['qdrant-adapter', 'chroma-adapter', 'openai-embeddings', 'bge-embeddings', 'qdrant', 'evil-widget']) expect(r.text).toContain(`href="/c/${n}"`);
    // newest non-yanked version, its interfaces (linked), the team
    expect(r.text).toMatch(/href="\/c\/qdrant-adapter">qdrant-adapter<\/a><span class="badge version">1\.4\.0<\/span>/);
    expect(r.text).toContain('href="/i/vector-store"');
    expect(r.text).toContain('<span class="badge team">platform</span>');
    // no inline script or style anywhere: the CSP would block it
    expect(r.text).not.toMatch(/<script>|<style|style="/);
  });

  test('search by text and by interface; the interface filter lists every interface with its count', async () => {
    const text = await get('/?q=embeddings');
    expect(text.text).toContain('/c/openai-embeddings');
    expect(text.text).not.toContain('/c/chroma-adapter"');
    const iface = await get('/?provides=vector-store');
    expect(iface.text).toContain('/c/qdrant-adapter');
    expect(iface.text).toContain('/c/chroma-adapter');
    expect(iface.text).not.toContain('href="/c/openai-embeddings"');
    expect(iface.text).toContain('<option value="vector-store" selected>vector-store (2)</option>');
    expect((await get('/?provides=Not_A_Name')).status).toBe(400);
    expect((await get('/?cursor=%%%')).status).toBe(400);
  });

  test('pagination: 20 per page, a next link with a cursor, the last page has none', async () => {
    // a query no earlier test asked for: pages are cached until the change feed reports a publish
    for (let i = 0; i < 22; i++) {
      const d = definition(`filler-${String(i).padStart(2, '0')}`, '1.0.0', { provides: ['filler'] });
      expect((await reg.request('PUT', `/v1/components/${d.name}/versions/1.0.0`, { token: publisher, body: d })).status).toBe(201);
    }
    const first = await get('/?provides=filler');
    expect(first.text.match(/<article class="result">/g)).toHaveLength(20);
    const next = /href="(\/\?provides=filler&amp;cursor=[^"]+)" rel="next"/.exec(first.text);
    expect(next).not.toBeNull();
    const second = await get(next![1].replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect(second.text.match(/<article class="result">/g)).toHaveLength(2);
    expect(second.text).toContain('/c/filler-21');
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('First page');
  });

  test('a publish shows on the pages: the component page at once, every page once the change feed reports it', async () => {
    expect((await get('/c/qdrant')).text).not.toContain('1.14.0');
    const d = { name: 'qdrant', version: '1.14.0', services: { qdrant: { image: 'qdrant/qdrant:v1.14.0' } } };
    expect((await reg.request('PUT', '/v1/components/qdrant/versions/1.14.0', { token: publisher, body: d })).status).toBe(201);
    expect((await get('/c/qdrant')).text).toContain('<span class="badge version">1.14.0</span>');
    const until = Date.now() + 10_000;
    while (!(await get('/?q=qdrant')).text.includes('1.14.0') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect((await get('/?q=qdrant')).text).toMatch(/href="\/c\/qdrant">qdrant<\/a><span class="badge version">1\.14\.0<\/span>/);
  });

  test('component page: versions with date, digest and yanked badge + reason; requires/provides/conflicts as links; options; services; python; YAML; copy lines; SVG', async () => {
    const r = await get('/c/qdrant-adapter');
    expect(r.status).toBe(200);
    const doc = (await reg.request('GET', '/v1/components/qdrant-adapter')).json;
    for (const v of doc.versions) {
      expect(r.text).toContain(`href="/c/qdrant-adapter/${v.version}"`);
      expect(r.text).toContain(`title="${v.digest}"`);
      expect(r.text).toContain(`<time datetime="${v.published_at}">${v.published_at.slice(0, 10)}</time>`);
    }
    expect(r.text).toMatch(/1\.3\.0<\/a> <span class="badge yanked">yanked<\/span><div class="reason">breaks with qdrant 1\.13: upgrade to 1\.4\.0<\/div>/);
    expect(r.text).toContain('<a href="/c/qdrant">qdrant</a> <code>^1.12</code>');
    expect(r.text).toContain('<a class="badge iface" href="/i/embeddings">embeddings</a>');
    expect(r.text).toContain('<a href="/c/chroma-adapter">chroma-adapter</a>');
    expect(r.text).toContain('<td><code>distance</code></td><td>string</td><td><code>cosine</code></td><td>cosine, dot, euclid</td><td>Vector distance</td>');
    expect(r.text).toContain('<code>qdrant-client&gt;=1.12,&lt;2</code>');
    expect(r.text).toContain('data-copy="hsm add qdrant-adapter@^1"');
    expect(r.text).toContain('data-copy="hsm use vector-store qdrant-adapter"');
    expect(r.text).toContain('requirement: qdrant-client&gt;=1.12,&lt;2'); // the YAML
    expect(r.text).toContain('<a href="https://github.com/example/qdrant-adapter" rel="nofollow noopener">');
    // the dependency picture: inline SVG whose nodes link to their pages, implementations of the interface included
    const svg = /<svg[\s\S]*<\/svg>/.exec(r.text)![0];
    for (const href of ['/c/qdrant', '/i/embeddings', '/c/openai-embeddings', '/c/bge-embeddings', '/c/chroma-adapter']) expect(svg).toContain(`xlink:href="${href}"`);
  });

  test('a yanked version selected explicitly says so; services and images show for a services component', async () => {
    const y = await get(`/c/${YANKED.name}/${YANKED.version}`);
    expect(y.status).toBe(200);
    expect(y.text).toContain(`Version ${YANKED.version} is yanked: ${YANKED.reason}`);
    const q = await get('/c/qdrant/1.13.0');
    expect(q.text).toContain('<code>qdrant/qdrant:v1.13.0</code>');
    expect(q.text).toContain('<code>6334:6334</code>');
    expect(q.text).toContain('No Python package');
  });

  test('a definition is untrusted: a <script> description renders as text, a javascript: homepage is no link', async () => {
    const r = await get('/c/evil-widget');
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('<script>window.__hsmXss');
    expect(r.text).not.toContain('<img src=x');
    expect(r.text).toContain('&lt;script&gt;window.__hsmXss = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__hsmXss = 2&quot;&gt; &amp; friends');
    expect(r.text).not.toContain('href="javascript:');
    expect(r.text).toContain('<code>javascript:window.__hsmXss=3</code>');
    const home = await get('/?q=evil');
    expect(home.text).toContain(HOSTILE_DESCRIPTION.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  });

  test('interface page: every implementation side by side with version, Python package and images', async () => {
    const r = await get('/i/embeddings');
    expect(r.status).toBe(200);
    expect(r.text).toContain('2 implementations');
    expect(r.text).toMatch(/href="\/c\/bge-embeddings">bge-embeddings<\/a><span class="badge version">0\.7\.4<\/span>/);
    expect(r.text).toContain('<code>openai&gt;=1.40,&lt;2</code>');
    expect(r.text).toContain('<code>fastembed==0.7.4</code>');
    expect(r.text).toContain('<code>ghcr.io/huggingface/text-embeddings-inference:cpu-1.5</code>');
    expect((await get('/i/nobody-provides-this')).text).toContain('No published component provides');
  });

  test('unknown component, version or interface name: an HTML 404, not JSON', async () => {
    for (const path of ['/c/no-such-thing', '/c/qdrant/9.9.9', '/i/Bad_Name']) {
      const r = await get(path);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
  });

  test('assets are served by the service with long-lived caching; no other origin is referenced', async () => {
    const home = await get('/');
    const assets = [...home.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(new Set(assets.map((a) => a.split('.').pop()))).toEqual(new Set(['svg', 'css', 'js']));
    for (const a of assets) {
      const r = await get(a);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect(home.text).not.toMatch(/(?:href|src)="(?:https?:)?\/\//);
    expect((await get('/assets/nope.css')).status).toBe(404);
  });
});

describe('the JSON API beside the pages', () => {
  test('documents are byte-identical with the pages on and off (same database)', async () => {
    const off = await startRegistry({ web: false }, reg.db);
    try {
      for (const path of ['/v1/components/qdrant-adapter', '/v1/components/qdrant-adapter/versions/1.4.0', '/v1/components?provides=embeddings']) {
        const a = await reg.request('GET', path);
        const b = await off.request('GET', path);
        expect(a.status).toBe(200);
        expect(b.text).toBe(a.text);
        expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
      }
      const page = await off.request('GET', '/c/qdrant-adapter');
      expect(page.status).toBe(404);
      expect(page.json.error.code).toBe('HSM_NOT_FOUND');
    } finally {
      await off.close();
    }
  });
});

describe('HSM_REGISTRY_READ=token', () => {
  let priv: TestRegistry;
  let reader: string;
  beforeAll(async () => {
    priv = await startRegistry({ readAccess: 'token' });
    await publishFixtureCatalog(priv);
    ({ token: reader } = await priv.createToken(['read']));
  });
  afterAll(async () => {
    await priv?.close();
  });

  const raw = (path: string, init: RequestInit = {}) => fetch(priv.url + path, { redirect: 'manual', ...init });
  const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    raw('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });

  test('every page sends a visitor without a token to the sign-in form, remembering where they were going', async () => {
    for (const path of ['/', '/c/qdrant-adapter', '/i/embeddings']) {
      const r = await raw(path);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(`/login?${new URLSearchParams({ next: path })}`);
    }
    const login = await raw('/login?next=%2Fc%2Fqdrant');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<input type="hidden" name="next" value="/c/qdrant">');
  });

  test('a refused token: 401 with the reason, no cookie', async () => {
    const r = await form({ token: 'hsm_not_a_real_token', next: '/' });
    expect(r.status).toBe(401);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await r.text()).toContain('That token was refused');
  });

  test('a read token: an HttpOnly SameSite=Strict cookie, a redirect that carries no token, then every page', async () => {
    const r = await form({ token: reader, next: '/c/qdrant-adapter' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/c/qdrant-adapter');
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^hsm_registry_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const jar = cookie.split(';')[0];
    const page = await raw('/c/qdrant-adapter', { headers: { cookie: jar } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const text = await page.text();
    expect(text).toContain('Log out');
    expect(text).not.toContain(reader);
    // the cookie is for the pages only: the JSON API still wants a bearer token
    expect((await raw('/v1/components/qdrant-adapter', { headers: { cookie: jar } })).status).toBe(401);
    const out = await raw('/logout', { method: 'POST', headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
  });

  test('a revoked token in the cookie is refused at the next page', async () => {
    const t = await priv.createToken(['read']);
    const jar = (await form({ token: t.token })).headers.get('set-cookie')!.split(';')[0];
    expect((await raw('/', { headers: { cookie: jar } })).status).toBe(200);
    expect((await priv.request('DELETE', `/v1/tokens/${t.id}`, { token: ADMIN_TOKEN })).status).toBeLessThan(300);
    const r = await raw('/', { headers: { cookie: jar } });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toContain('Max-Age=0');
  });

  test('sign-in from another site is refused (login CSRF); `next` cannot leave the site', async () => {
    expect((await form({ token: reader }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await form({ token: reader }, { origin: 'https://evil.example' })).status).toBe(403);
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      expect((await form({ token: reader, next })).headers.get('location')).toBe('/');
    }
  });
});
