/** HTTP surface of SPEC §9 for tokens: validates with the shared request schemas, delegates to TokenService. */
import { Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import * as RegistryApi from '@hsm/core/registry-api';
import { AccessGuard, Caller, RateLimited, RequireScope } from '../auth/access.guard.js';
import type { Principal } from '../auth/principal.js';
import { parseRequest } from '../http/parse-request.js';
import { TokenService } from './token.service.js';

@Controller('v1/tokens')
@UseGuards(AccessGuard)
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @RateLimited()
  create(@Req() req: Request, @Caller() caller: Principal): Promise<RegistryApi.CreatedToken> {
    return this.tokens.create(caller, parseRequest(RegistryApi.CreateTokenRequest, req.body, 'token body'));
  }

  @Get()
  @RequireScope('read')
  async list(@Caller() caller: Principal): Promise<RegistryApi.TokenList> {
    return { tokens: await this.tokens.list(caller) };
  }

  @Delete(':id')
  @RequireScope('read')
  @RateLimited()
  revoke(@Caller() caller: Principal, @Param('id') id: string): Promise<RegistryApi.Token> {
    return this.tokens.revoke(caller, parseRequest(RegistryApi.TokenId, id, 'path: `id`'));
  }
}
