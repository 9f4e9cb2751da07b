/** Liveness (the process answers) and readiness (the database answers). */
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCodes } from '@hsm/core';
import { PrismaService } from '../database/prisma.service.js';
import { DATABASE_RETRY_AFTER_SECONDS, errorBody } from '../http/http-error.js';

@Controller()
export class HealthController {
  constructor(private readonly prisma: PrismaService) {}

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() res: Response) {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
      res.json({ status: 'ready' });
    } catch {
      res.status(503).setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS)).json(errorBody(ErrorCodes.DATABASE_UNAVAILABLE, 'database is not reachable'));
    }
  }
}
