/**
 * HTTP surface of SPEC §9 for components: validates input with the shared request schemas (RegistryApi in
 * @hsm/core), declares access per handler (AccessGuard), delegates to ComponentService.
 */
import { Controller, Get, HttpCode, Inject, Param, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import * as RegistryApi from '@hsm/core/registry-api';
import { AccessGuard, Caller, RateLimited, ReadAccess, RequireScope } from '../auth/access.guard.js';
import type { Principal } from '../auth/principal.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';
import { parseRequest } from '../http/parse-request.js';
import { ComponentService, type Document } from './component.service.js';

const IMMUTABLE = 'max-age=31536000, immutable';

@Controller('v1')
@UseGuards(AccessGuard)
export class ComponentController {
  private readonly visibility: 'public' | 'private';

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly components: ComponentService,
  ) {
    this.visibility = config.readAccess === 'public' ? 'public' : 'private';
  }

  @Get('components')
  @ReadAccess()
  search(@Req() req: Request): Promise<RegistryApi.SearchResponse> {
    return this.components.search(parseRequest(RegistryApi.SearchQuery, req.query, 'query'));
  }

  @Get('components/:name')
  @ReadAccess()
  async component(@Req() req: Request, @Res() res: Response, @Param('name') name: string) {
    const r = await this.components.componentDocument(lookupName(name), ifNoneMatch(req));
    res.setHeader('Cache-Control', `${this.visibility}, no-cache`);
    sendDocument(res, r.doc, r.notModified);
  }

  @Get('components/:name/versions/:version')
  @ReadAccess()
  async version(@Req() req: Request, @Res() res: Response, @Param('name') name: string, @Param('version') version: string) {
    const doc = await this.components.versionDocument(lookupName(name), exactVersion(version));
    res.setHeader('Cache-Control', `${this.visibility}, ${IMMUTABLE}`);
    sendDocument(res, doc, ifNoneMatch(req) === doc.etag);
  }

  @Put('components/:name/versions/:version')
  @RequireScope('publish')
  @RateLimited()
  async publish(@Req() req: Request, @Res() res: Response, @Caller() caller: Principal, @Param('name') name: string, @Param('version') version: string) {
    const r = await this.components.publish(caller, name, version, req.body);
    res.status(r.created ? 201 : 200).json(r.body);
  }

  @Post('components/:name/versions/:version/yank')
  @HttpCode(200)
  @RequireScope('publish')
  @RateLimited()
  yank(@Req() req: Request, @Caller() caller: Principal, @Param('name') name: string, @Param('version') version: string): Promise<RegistryApi.YankResponse> {
    const body = req.body === undefined ? undefined : parseRequest(RegistryApi.YankRequest, req.body, 'yank body');
    return this.components.setYanked(caller, lookupName(name), exactVersion(version), true, body?.reason ?? null);
  }

  @Post('components/:name/versions/:version/unyank')
  @HttpCode(200)
  @RequireScope('publish')
  @RateLimited()
  unyank(@Caller() caller: Principal, @Param('name') name: string, @Param('version') version: string): Promise<RegistryApi.YankResponse> {
    return this.components.setYanked(caller, lookupName(name), exactVersion(version), false, null);
  }

  @Post('resolve')
  @HttpCode(200)
  @ReadAccess()
  async resolve(@Req() req: Request, @Res() res: Response) {
    const body = parseRequest(RegistryApi.ResolveRequest, req.body, 'resolve body');
    sendJson(res, await this.components.resolve(body.components));
  }
}

function lookupName(name: string): string {
  return parseRequest(RegistryApi.LookupName, name, 'path: `name`');
}

function exactVersion(version: string): string {
  return parseRequest(RegistryApi.ExactVersion, version, 'path: `version`');
}

function ifNoneMatch(req: Request): string | undefined {
  const h = req.headers['if-none-match'];
  return h === undefined ? undefined : parseRequest(RegistryApi.IfNoneMatch, h, 'header `If-None-Match`');
}

/** The headers every document response carries, on 200 and 304 alike (the hot path writes the same). */
function sendDocument(res: Response, doc: Document, notModified: boolean): void {
  res.setHeader('Vary', 'Authorization');
  res.setHeader('ETag', doc.etag);
  if (notModified) {
    res.status(304).end();
    return;
  }
  sendJson(res, doc.body);
}

/** Pre-serialised JSON straight to the socket (Express' `send` would re-inspect the body for nothing). */
function sendJson(res: Response, body: string | Buffer): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
