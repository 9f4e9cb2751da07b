/** HTTP surface of SPEC §9 for components: validates input, checks access, delegates to ComponentService. */
import { Controller, Get, HttpCode, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Name, Range } from '@hsm/core';
import { AuthService } from '../auth/auth.service.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';
import { parseRequest } from '../http/parse-request.js';
import { WriteGate } from '../http/write-gate.js';
import { ComponentService } from './component.service.js';

export const SearchQuery = z.strictObject({
  q: z.string().max(100).optional(),
  provides: Name.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const ResolveBody = z.strictObject({
  components: z.array(z.strictObject({ name: z.string().min(1).max(100), range: Range.default('*'), include_yanked: z.boolean().optional() })).min(1).max(200),
});

export const YankBody = z.strictObject({ reason: z.string().max(500).optional() }).optional();

const IMMUTABLE = 'max-age=31536000, immutable';

@Controller('v1')
export class ComponentController {
  private readonly visibility: 'public' | 'private';

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly auth: AuthService,
    private readonly gate: WriteGate,
    private readonly components: ComponentService,
  ) {
    this.visibility = config.readAccess === 'public' ? 'public' : 'private';
  }

  @Get('components')
  async search(@Req() req: Request) {
    await this.auth.forRead(req);
    return this.components.search(parseRequest(SearchQuery, req.query, 'query'));
  }

  @Get('components/:name')
  async component(@Req() req: Request, @Res() res: Response, @Param('name') name: string) {
    await this.auth.forRead(req);
    const doc = await this.components.componentDocument(name, req.headers['if-none-match']);
    res.setHeader('Cache-Control', `${this.visibility}, no-cache`);
    res.setHeader('Vary', 'Authorization');
    if (doc === null) {
      res.setHeader('ETag', String(req.headers['if-none-match']));
      res.status(304).end();
      return;
    }
    res.setHeader('ETag', doc.etag);
    sendJson(res, doc.body);
  }

  @Get('components/:name/versions/:version')
  async version(@Req() req: Request, @Res() res: Response, @Param('name') name: string, @Param('version') version: string) {
    await this.auth.forRead(req);
    const doc = await this.components.versionDocument(name, version);
    res.setHeader('Cache-Control', `${this.visibility}, ${IMMUTABLE}`);
    res.setHeader('Vary', 'Authorization');
    res.setHeader('ETag', doc.etag);
    if (req.headers['if-none-match'] === doc.etag) {
      res.status(304).end();
      return;
    }
    sendJson(res, doc.body);
  }

  @Put('components/:name/versions/:version')
  async publish(@Req() req: Request, @Res() res: Response, @Param('name') name: string, @Param('version') version: string) {
    const caller = await this.auth.require(req, 'publish');
    this.gate.take(req, caller);
    const r = await this.components.publish(caller, name, version, req.body);
    res.status(r.created ? 201 : 200).json(r.body);
  }

  @Post('components/:name/versions/:version/yank')
  @HttpCode(200)
  async yank(@Req() req: Request, @Param('name') name: string, @Param('version') version: string) {
    const caller = await this.auth.require(req, 'publish');
    this.gate.take(req, caller);
    const body = parseRequest(YankBody, req.body, 'yank body');
    return this.components.setYanked(caller, name, version, true, body?.reason ?? null);
  }

  @Post('components/:name/versions/:version/unyank')
  @HttpCode(200)
  async unyank(@Req() req: Request, @Param('name') name: string, @Param('version') version: string) {
    const caller = await this.auth.require(req, 'publish');
    this.gate.take(req, caller);
    return this.components.setYanked(caller, name, version, false, null);
  }

  @Post('resolve')
  @HttpCode(200)
  async resolve(@Req() req: Request, @Res() res: Response) {
    await this.auth.forRead(req);
    const body = parseRequest(ResolveBody, req.body, 'resolve body');
    sendJson(res, await this.components.resolve(body.components));
  }
}

/** Pre-serialised JSON straight to the socket (Express' `send` would re-inspect the body for nothing). */
function sendJson(res: Response, body: string | Buffer): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
