/** Tokens and teams in PostgreSQL. Returns plain records; Prisma stays behind this class. */
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { Scope, Team } from '../auth/principal.js';

export interface TokenRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  team: Team | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewToken {
  name: string;
  prefix: string;
  hash: string;
  scopes: Scope[];
  teamName: string | null;
  expiresAt: Date | null;
}

const SELECT = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  team: { select: { id: true, name: true } },
} as const;

@Injectable()
export class TokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByHash(hash: string): Promise<TokenRecord | null> {
    return this.prisma.token.findUnique({ where: { hash }, select: SELECT });
  }

  findById(id: string): Promise<TokenRecord | null> {
    return this.prisma.token.findUnique({ where: { id }, select: SELECT });
  }

  async create(t: NewToken): Promise<TokenRecord> {
    const teamId = t.teamName === null ? null : (await this.ensureTeam(t.teamName)).id;
    return this.prisma.token.create({
      data: { name: t.name, prefix: t.prefix, hash: t.hash, scopes: t.scopes, teamId, expiresAt: t.expiresAt },
      select: SELECT,
    });
  }

  list(teamId?: string): Promise<TokenRecord[]> {
    return this.prisma.token.findMany({
      where: teamId === undefined ? {} : { teamId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: SELECT,
    });
  }

  revoke(id: string): Promise<TokenRecord> {
    return this.prisma.token.update({ where: { id }, data: { revokedAt: new Date() }, select: SELECT });
  }

  /** Creates the team on first use; safe under concurrency (ON CONFLICT DO NOTHING, then read). */
  async ensureTeam(name: string): Promise<Team> {
    await this.prisma.team.createMany({ data: [{ name }], skipDuplicates: true });
    return this.prisma.team.findUniqueOrThrow({ where: { name }, select: { id: true, name: true } });
  }
}
