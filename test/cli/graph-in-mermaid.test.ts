/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * `hsm graph` output is real Mermaid: the flowchart is parsed and rendered by Mermaid itself (the library GitHub
 * uses for ```mermaid blocks) inside Debian's Chromium. Needs Chromium like the registry's browser test.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { hsm } from '../support/hsm-cli.js';
import { ragAppProject } from '../support/rag-app.js';

const CHROMIUM = process.env.HSM_CHROMIUM ?? '/usr/bin/chromium';
const MERMAID = join(createRequire(import.meta.url).resolve('mermaid/package.json'), '..', 'dist', 'mermaid.min.js');

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set HSM_CHROMIUM`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
});

describe('hsm graph → Mermaid', () => {
  test('parses and renders, naming every component, service and group', async () => {
    const dir = await ragAppProject({ exporters: true });
    const r = await hsm(['graph'], { cwd: dir });
    expect(r.code).toBe(0);
    const json = JSON.parse((await hsm(['graph', '--format', 'json'], { cwd: dir })).stdout);
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: MERMAID });
    const out = await page.evaluate(async (text) => {
      const m = (window as unknown as { mermaid: { initialize(o: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
      m.initialize({ startOnLoad: false, securityLevel: 'strict' });
      await m.parse(text);
      const { svg } = await m.render('stack', text);
      // Mermaid's SVG holds HTML labels (foreignObject), so it is read as the page reads it, not as strict XML
      document.body.innerHTML = svg;
      return { labels: [...document.querySelectorAll('svg .nodeLabel, svg .cluster-label, svg text')].map((e) => e.textContent ?? ''), nodes: document.querySelectorAll('svg g.node').length };
    }, r.stdout);
    const services = json.components.flatMap((c: { services: { name: string }[] }) => c.services);
    expect(out.nodes).toBe(json.components.length + services.length);
    const all = out.labels.join('\n');
    for (const c of json.components) expect(all).toContain(`${c.name} ${c.version}`);
    for (const g of json.groups) expect(all).toContain(`interface ${g.interface}`);
    for (const s of services) expect(all).toContain(s.name);
    await page.close();
  });
});
