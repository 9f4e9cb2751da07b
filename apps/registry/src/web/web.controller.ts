/**
 * The browsable catalog under `/` (issue 14): home/search, `/c/{name}[/{version}]`, `/i/{interface}`, sign-in.
 * Server-rendered HTML that works without script; a strict Content-Security-Policy (no inline script or style,
 * nothing from another origin). Validates, checks access, delegates to CatalogService, renders. The JSON hot
 * path (http/hot-path.ts) answers `/v1/components/…` before Express and never reaches this controller.
 */
import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ErrorCodes, HsmError, isHsmError, Name } from '@hsm/core';
import { statusFor } from '../http/http-error.js';
import { CatalogService } from './catalog.service.js';
import { WebSession, safeNext } from './web-session.js';
import { crossSite } from './web-form-body.js';
import { errorPage, page, type PageChrome } from './layout.js';
import { homePage, interfacePage, loginPage } from './catalog-pages.js';
import { componentPage } from './component-page.js';
import { findAsset } from './assets.js';
import { PageCache, type RenderedPage } from './page-cache.js';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HomeQuery = z.object({
  q: z.string().max(100).optional().default(''),
  provides: z
    .union([Name, z.literal('')])
    .optional()
    .default(''),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

const LoginForm = z.object({ token: z.string().max(1000).optional().default(''), next: z.string().optional() });

@ApiExcludeController() // HTML pages, not part of the JSON API's OpenAPI document
@Controller()
export class WebController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly session: WebSession,
    private readonly cache: PageCache,
  ) {}

  @Get()
  home(@Req() req: Request, @Res() res: Response) {
    return this.page(req, res, async (chrome) => {
      const q = HomeQuery.safeParse(req.query);
      if (!q.success) throw new HsmError(ErrorCodes.REQUEST_INVALID, 'That search is not one this page understands (a text of up to 100 characters and an interface name).');
      chrome.query = q.data.q;
      return this.cache.get(`home:${JSON.stringify([q.data.q, q.data.provides, q.data.cursor ?? null])}`, async () => ({
        title: q.data.q || q.data.provides ? `Search ${[q.data.q, q.data.provides].filter(Boolean).join(' · ')}` : 'Catalog',
        body: homePage(await this.catalog.search(q.data)),
      }));
    });
  }

  @Get('c/:name')
  component(@Req() req: Request, @Res() res: Response, @Param('name') name: string) {
    return this.componentVersion(req, res, name, undefined);
  }

  @Get('c/:name/:version')
  componentVersion(@Req() req: Request, @Res() res: Response, @Param('name') name: string, @Param('version') version: string | undefined) {
    return this.page(req, res, async () => {
      const missing = new HsmError(ErrorCodes.NOT_FOUND, version ? `There is no version ${version} of ${name} here.` : `There is no component named ${name} here.`);
      // the component's revision is in the key, so its own publish or yank shows at once on this instance
      const revision = await this.catalog.revision(name);
      if (revision === null) throw missing;
      return this.cache.get(`component:${name}:${revision}:${version ?? ''}`, async () => {
        const view = await this.catalog.component(name, version);
        if (!view) throw missing;
        return { title: `${view.name} ${view.selected.version}`, body: componentPage(view) };
      });
    });
  }

  @Get('i/:name')
  iface(@Req() req: Request, @Res() res: Response, @Param('name') name: string) {
    return this.page(req, res, async () => {
      if (!Name.safeParse(name).success) throw new HsmError(ErrorCodes.NOT_FOUND, 'Interface names are lowercase letters, digits and dashes.');
      return this.cache.get(`interface:${name}`, async () => ({ title: `Interface ${name}`, body: interfacePage(await this.catalog.interface(name)) }));
    });
  }

  @Get('login')
  loginForm(@Req() req: Request, @Res() res: Response) {
    if (!this.session.tokenRequired) return redirect(res, '/');
    sendHtml(res, 200, page({ title: 'Sign in', signedIn: false }, loginPage(safeNext(req.query.next), null)));
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response) {
    if (crossSite(req)) return sendHtml(res, 403, errorPage({ title: 'Refused', signedIn: false }, 'Refused', 'Sign in from this registry’s own page.'));
    if (!this.session.tokenRequired) return redirect(res, '/');
    const form = LoginForm.safeParse(req.body ?? {});
    const next = safeNext(form.success ? form.data.next : undefined);
    const token = form.success ? form.data.token.trim() : '';
    const problem = token === '' ? 'Paste a token with the read scope.' : await this.session.verify(token);
    if (problem !== null) return sendHtml(res, 401, page({ title: 'Sign in', signedIn: false }, loginPage(next, problem)));
    res.setHeader('Set-Cookie', this.session.cookie(req, token));
    redirect(res, next);
  }

  @Post('logout')
  logout(@Req() req: Request, @Res() res: Response) {
    if (crossSite(req)) return sendHtml(res, 403, errorPage({ title: 'Refused', signedIn: false }, 'Refused', 'Log out from this registry’s own page.'));
    res.setHeader('Set-Cookie', this.session.clearedCookie(req));
    redirect(res, this.session.tokenRequired ? '/login' : '/');
  }

  @Get('assets/:file')
  asset(@Req() req: Request, @Res() res: Response) {
    const a = findAsset(req.path);
    if (!a) return sendHtml(res, 404, errorPage({ title: 'Not found', signedIn: false }, 'Not found', 'No such file.'));
    res.setHeader('Content-Type', a.type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Length', a.body.length);
    res.end(a.body);
  }

  /** Access check, render, and every failure as an HTML page with the status the JSON API would use. */
  private async page(req: Request, res: Response, render: (chrome: PageChrome) => Promise<RenderedPage>): Promise<void> {
    const access = await this.session.access(req);
    if (!access.allowed) {
      if (access.problem) res.setHeader('Set-Cookie', this.session.clearedCookie(req));
      return redirect(res, `/login?${new URLSearchParams({ next: req.originalUrl })}`);
    }
    const chrome: PageChrome = { title: 'Catalog', signedIn: access.signedIn };
    res.setHeader('Cache-Control', this.session.tokenRequired ? 'private, no-store' : 'no-cache');
    res.setHeader('Vary', 'Cookie');
    try {
      const rendered = await render(chrome);
      chrome.title = rendered.title;
      sendHtml(res, 200, page(chrome, rendered.body));
    } catch (e) {
      if (!isHsmError(e) || statusFor(e.code) >= 500) throw e; // the service's error filter logs it and answers 500
      const status = statusFor(e.code);
      sendHtml(res, status, errorPage(chrome, status === 404 ? 'Not found' : 'Bad request', e.message));
    }
  }
}

function sendHtml(res: Response, status: number, body: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function redirect(res: Response, location: string): void {
  res.status(303).setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}
