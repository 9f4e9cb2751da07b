/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * The web catalog in a real browser: Debian's Chromium (`apt-get install chromium`, installed by .ci/run)
 * driven by playwright-core, with axe-core for accessibility. Clicks through home → search → component →
 * interface, checks the SVG, the copy button and the clipboard, signs in on a token-only registry, and fails on
 * any console error (a Content-Security-Policy violation is one). Writes screenshots of the three page types:
 * to a temp folder normally, to docs/screenshots/ with HSM_SCREENSHOTS=write (`npm run screenshots`).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { YANKED, publishFixtureCatalog } from '../../../test/support/web-catalog.js';

const CHROMIUM = process.env.HSM_CHROMIUM ?? '/usr/bin/chromium';
const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

let reg: TestRegistry;
let browser: Browser;
let context: BrowserContext;
let shots: string;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set HSM_CHROMIUM`);
  shots = process.env.HSM_SCREENSHOTS === 'write' ? join(REPO, 'docs', 'screenshots') : await mkdtemp(join(tmpdir(), 'hsm-screens-'));
  await mkdir(shots, { recursive: true });
  reg = await startRegistry();
  await publishFixtureCatalog(reg);
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1, colorScheme: 'light' });
});
afterAll(async () => {
  await browser?.close();
  await reg?.close();
  if (shots && process.env.HSM_SCREENSHOTS !== 'write') await rm(shots, { recursive: true, force: true });
});

async function open(path: string, ctx = context): Promise<Page> {
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${path}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${path}: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`${path}: a dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(reg.url + path);
  return page;
}

async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('the catalog in Chromium', () => {
  test('home → search → component: versions and the yanked badge; → interface: implementations side by side', async () => {
    const page = await open('/');
    await expect(page.title()).resolves.toBe('Catalog · hsm registry');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'home.png'), fullPage: true });

    await page.getByLabel('Text').fill('qdrant');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?q=qdrant/);
    const results = page.locator('article.result h2 a');
    await expect(results.allTextContents()).resolves.toEqual(['qdrant', 'qdrant-adapter']);

    await page.getByRole('link', { name: 'qdrant-adapter', exact: true }).click();
    await page.waitForURL(/\/c\/qdrant-adapter$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('qdrant-adapter 1.4.0');
    const rows = page.locator('#versions ~ table tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const yanked = rows.filter({ hasText: YANKED.version });
    await expect(yanked.locator('.badge.yanked').isVisible()).resolves.toBe(true);
    await expect(yanked.textContent()).resolves.toContain(YANKED.reason);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'component.png'), fullPage: true });

    // the server-rendered dependency picture: one node per dependency, each a link
    const nodes = await page.locator('figure.graph svg g.node').evaluateAll((gs) => gs.map((g) => g.querySelector('text')?.textContent ?? ''));
    expect(nodes.sort()).toEqual(['bge-embeddings', 'chroma-adapter', 'interface embeddings', 'openai-embeddings', 'qdrant', 'qdrant-adapter'].sort());

    await page.locator('#deps ~ ul a.badge.iface', { hasText: 'embeddings' }).click();
    await page.waitForURL(/\/i\/embeddings$/);
    await expect(page.locator('.card h2 a').allTextContents()).resolves.toEqual(['bge-embeddings', 'openai-embeddings']);
    await expect(page.locator('.card').first().textContent()).resolves.toContain('ghcr.io/huggingface/text-embeddings-inference:cpu-1.5');
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(reg.url + '/i/vector-store');
    await page.screenshot({ path: join(shots, 'interface.png'), fullPage: true });
    await page.close();
  });

  test('the interface filter submits itself (progressive enhancement) and works as a plain form', async () => {
    const page = await open('/');
    await page.locator('select[name=provides]').selectOption('embeddings');
    await page.waitForURL(/provides=embeddings/);
    await expect(page.locator('article.result h2 a').allTextContents()).resolves.toEqual(['bge-embeddings', 'openai-embeddings']);
    await page.close();
  });

  test('copy button puts the command on the clipboard', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: reg.url });
    const page = await open('/c/qdrant-adapter');
    const button = page.locator('button[data-copy="hsm use vector-store qdrant-adapter"]');
    await button.click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('hsm use vector-store qdrant-adapter');
    await expect(button.textContent()).resolves.toBe('Copied');
    await page.locator('button[data-copy^="hsm add"]').click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('hsm add qdrant-adapter@^1');
    await page.close();
  });

  test('without JavaScript the pages still work; the copy buttons stay hidden, the commands stay readable', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const page = await open('/c/qdrant-adapter', noJs);
    await expect(page.locator('button[data-copy]').first().isVisible()).resolves.toBe(false);
    await expect(page.locator('.copy code').first().textContent()).resolves.toBe('hsm add qdrant-adapter@^1');
    await page.locator('figure.graph svg a', { hasText: 'openai-embeddings' }).click();
    await page.waitForURL(/\/c\/openai-embeddings$/);
    await noJs.close();
  });

  test('a <script> in a description stays text and never runs', async () => {
    const page = await open('/c/evil-widget');
    await expect(page.locator('p.lead').textContent()).resolves.toContain('<script>window.__hsmXss = 1</script>');
    await expect(page.evaluate(() => (window as unknown as { __hsmXss?: number }).__hsmXss)).resolves.toBeUndefined();
    await expect(page.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
    await page.close();
  });

  test('narrow screens: no horizontal scrolling of the page', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    for (const path of ['/', '/c/qdrant-adapter', '/i/vector-store']) {
      const page = await open(path, phone);
      await expect(page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).resolves.toBe(true);
      if (path === '/c/qdrant-adapter') await page.screenshot({ path: join(shots, 'component-narrow.png'), fullPage: true });
      await page.close();
    }
    await phone.close();
  });

  test('no console errors (CSP violations included), no dialogs, on every page visited', () => {
    expect(problems).toEqual([]);
  });
});

describe('token-only registry in Chromium', () => {
  let priv: TestRegistry;
  beforeAll(async () => {
    priv = await startRegistry({ readAccess: 'token' });
    await publishFixtureCatalog(priv);
  });
  afterAll(async () => {
    await priv?.close();
  });

  test('sign in with a read token: HttpOnly SameSite=Strict cookie, never in a URL, back to the page asked for', async () => {
    const { token } = await priv.createToken(['read']);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(`${priv.url}/c/qdrant-adapter`);
    await page.waitForURL(/\/login\?next=/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Token').fill('hsm_wrong_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That token was refused');
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/c\/qdrant-adapter$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('qdrant-adapter');
    const cookie = (await ctx.cookies()).find((c) => c.name === 'hsm_registry_token')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await expect(page.evaluate(() => document.cookie)).resolves.toBe('');
    expect(urls.filter((u) => u.includes(token) || u.includes(encodeURIComponent(token)))).toEqual([]);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    expect((await ctx.cookies()).find((c) => c.name === 'hsm_registry_token')).toBeUndefined();
    await ctx.close();
  });
});
