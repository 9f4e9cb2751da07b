import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Name } from '@hsm/core';
import { AuthService } from '../auth/auth.service.js';
import { WriteGate } from '../http/write-gate.js';
import { parseRequest } from '../http/parse-request.js';
import { SCOPES } from '../auth/principal.js';
import { TokenService } from './token.service.js';

export const CreateTokenBody = z.strictObject({
  name: z.string().min(1).max(100),
  team: Name.optional(),
  scopes: z.array(z.enum(SCOPES as ['read', 'publish', 'admin'])).min(1),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

const TokenId = z.uuid();

@Controller('v1/tokens')
export class TokenController {
  constructor(
    private readonly auth: AuthService,
    private readonly gate: WriteGate,
    private readonly tokens: TokenService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Req() req: Request) {
    const caller = await this.auth.require(req, 'admin');
    this.gate.take(req, caller);
    return this.tokens.create(caller, parseRequest(CreateTokenBody, req.body, 'token body'));
  }

  @Get()
  async list(@Req() req: Request) {
    const caller = await this.auth.require(req, 'read');
    return { tokens: await this.tokens.list(caller) };
  }

  @Delete(':id')
  async revoke(@Req() req: Request, @Param('id') id: string) {
    const caller = await this.auth.require(req, 'read');
    this.gate.take(req, caller);
    return this.tokens.revoke(caller, parseRequest(TokenId, id, 'token id'));
  }
}
