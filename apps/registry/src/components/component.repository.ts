/** Components and versions in PostgreSQL. Returns plain records; Prisma stays behind this class. */
import { Injectable } from '@nestjs/common';
import semver from 'semver';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Team } from '../auth/principal.js';

export interface ComponentHead {
  id: string;
  name: string;
  revision: number;
  team: Team;
}

export interface VersionSummary {
  version: string;
  digest: string;
  yanked: boolean;
  yankReason: string | null;
  publishedAt: Date;
  /** The published definition (JSON), for the capabilities a version needs. */
  definition: unknown;
}

export interface ComponentRecord extends ComponentHead {
  description: string;
  provides: string[];
  versions: VersionSummary[];
}

export interface VersionRecord {
  name: string;
  version: string;
  digest: string;
  definition: unknown;
  yanked: boolean;
  publishedAt: Date;
}

export interface SearchQuery {
  text?: string;
  provides?: string;
  after?: string;
  limit: number;
}

export interface SearchHit {
  name: string;
  description: string;
  provides: string[];
  team: string;
}

export interface NewVersion {
  componentId: string;
  version: string;
  definition: unknown;
  digest: string;
  publisherId: string | null;
}

export type InsertResult = { inserted: true; publishedAt: Date } | { inserted: false; existing: { digest: string; publishedAt: Date } };

@Injectable()
export class ComponentRepository {
  constructor(private readonly prisma: PrismaService) {}

  findHead(normalizedName: string): Promise<ComponentHead | null> {
    return this.prisma.component.findUnique({
      where: { normalizedName },
      select: { id: true, name: true, revision: true, team: { select: { id: true, name: true } } },
    });
  }

  async find(normalizedName: string): Promise<ComponentRecord | null> {
    const c = await this.prisma.component.findUnique({
      where: { normalizedName },
      select: {
        id: true,
        name: true,
        revision: true,
        description: true,
        provides: true,
        team: { select: { id: true, name: true } },
        versions: { select: { version: true, digest: true, yanked: true, yankReason: true, publishedAt: true, definition: true } },
      },
    });
    if (!c) return null;
    return { ...c, versions: c.versions.sort((a, b) => semver.rcompare(a.version, b.version)) };
  }

  async findVersion(normalizedName: string, version: string): Promise<VersionRecord | null> {
    const v = await this.prisma.version.findFirst({
      where: { version, component: { normalizedName } },
      select: { version: true, digest: true, definition: true, yanked: true, publishedAt: true, component: { select: { name: true } } },
    });
    return v && { name: v.component.name, version: v.version, digest: v.digest, definition: v.definition, yanked: v.yanked, publishedAt: v.publishedAt };
  }

  /** Every version of the given components, without definitions (for resolving ranges). */
  async listVersions(normalizedNames: string[]): Promise<Map<string, { name: string; version: string; yanked: boolean }[]>> {
    const rows = await this.prisma.version.findMany({
      where: { component: { normalizedName: { in: normalizedNames } } },
      select: { version: true, yanked: true, component: { select: { name: true, normalizedName: true } } },
    });
    const out = new Map<string, { name: string; version: string; yanked: boolean }[]>();
    for (const r of rows) {
      const list = out.get(r.component.normalizedName) ?? [];
      list.push({ name: r.component.name, version: r.version, yanked: r.yanked });
      out.set(r.component.normalizedName, list);
    }
    return out;
  }

  async search(q: SearchQuery): Promise<SearchHit[]> {
    const where: Prisma.ComponentWhereInput = {};
    if (q.text) {
      where.OR = [
        { name: { contains: q.text, mode: 'insensitive' } },
        { description: { contains: q.text, mode: 'insensitive' } },
        { provides: { has: q.text.toLowerCase() } },
      ];
    }
    if (q.provides) where.provides = { has: q.provides };
    if (q.after) where.name = { gt: q.after };
    const rows = await this.prisma.component.findMany({
      where,
      orderBy: { name: 'asc' },
      take: q.limit,
      select: { name: true, description: true, provides: true, team: { select: { name: true } } },
    });
    return rows.map((r) => ({ name: r.name, description: r.description, provides: r.provides, team: r.team.name }));
  }

  /** Creates the component owned by `teamId` unless the (normalised) name exists; returns whoever owns it. */
  async ensureComponent(name: string, normalizedName: string, teamId: string): Promise<ComponentHead> {
    await this.prisma.component.createMany({ data: [{ name, normalizedName, teamId }], skipDuplicates: true });
    const head = await this.findHead(normalizedName);
    if (!head) throw new Error(`component ${normalizedName} vanished after insert`);
    return head;
  }

  /**
   * Inserts one version. The unique (component, version) index decides concurrent publishes: the loser gets the
   * existing row back. The version, the component's revision (its ETag) and its search fields change in one
   * transaction, so a reader never sees a new version under an old ETag for long.
   */
  async insertVersion(v: NewVersion): Promise<InsertResult> {
    const parsed = semver.parse(v.version)!;
    try {
      const [created] = await this.prisma.$transaction([
        this.prisma.version.create({
          data: {
            componentId: v.componentId,
            version: v.version,
            major: parsed.major,
            minor: parsed.minor,
            patch: parsed.patch,
            prerelease: parsed.prerelease.join('.'),
            definition: v.definition as Prisma.InputJsonValue,
            digest: v.digest,
            publisherId: v.publisherId,
          },
          select: { publishedAt: true },
        }),
        this.bumpRevision(v.componentId),
      ]);
      return { inserted: true, publishedAt: created.publishedAt };
    } catch (e) {
      if (!(e instanceof Prisma.PrismaClientKnownRequestError) || e.code !== 'P2002') throw e;
      const existing = await this.prisma.version.findUniqueOrThrow({
        where: { componentId_version: { componentId: v.componentId, version: v.version } },
        select: { digest: true, publishedAt: true },
      });
      return { inserted: false, existing };
    }
  }

  /** Sets or clears the yank flag; returns false when the version does not exist. */
  async setYanked(componentId: string, version: string, yanked: boolean, reason: string | null): Promise<boolean> {
    const [updated] = await this.prisma.$transaction([
      this.prisma.version.updateMany({
        where: { componentId, version },
        data: { yanked, yankReason: yanked ? reason : null, yankedAt: yanked ? new Date() : null },
      }),
      this.bumpRevision(componentId),
    ]);
    return updated.count > 0;
  }

  /** Bumps the revision and copies description/provides from the newest non-yanked version (releases first). */
  private bumpRevision(componentId: string) {
    return this.prisma.$executeRaw`
      WITH latest AS (
        SELECT v."definition" AS d FROM "versions" v
        WHERE v."component_id" = ${componentId}::uuid AND NOT v."yanked"
        ORDER BY (v."prerelease" = '') DESC, v."major" DESC, v."minor" DESC, v."patch" DESC, v."published_at" DESC
        LIMIT 1
      )
      UPDATE "components" c SET
        "revision" = c."revision" + 1,
        "updated_at" = now(),
        "description" = COALESCE((SELECT d->>'description' FROM latest), ''),
        "provides" = COALESCE((SELECT ARRAY(SELECT jsonb_array_elements_text(COALESCE(d->'provides', '[]'::jsonb))) FROM latest), ARRAY[]::TEXT[])
      WHERE c."id" = ${componentId}::uuid`;
  }
}
