/** The one read the pages need that the JSON API has no method for: every interface with its component count. */
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { InterfaceCount } from './view-model.js';

@Injectable()
export class CatalogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async interfaces(): Promise<InterfaceCount[]> {
    const rows = await this.prisma.$queryRaw<{ name: string; components: bigint }[]>`
      SELECT p AS name, count(*) AS components FROM "components", unnest("provides") AS p GROUP BY p ORDER BY p`;
    return rows.map((r) => ({ name: r.name, components: Number(r.components) }));
  }
}
