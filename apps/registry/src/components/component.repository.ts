/** Components and versions in PostgreSQL. Returns plain records; Prisma stays behind this class. */
import { randomUUID } from 'node:crypto';
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
  /** The newest version's option declarations. */
  options: Record<string, unknown>;
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

export interface VersionListRow {
  normalizedName: string;
  name: string;
  version: string;
  yanked: boolean;
}

export interface SearchQuery {
  text?: string;
  provides?: string;
  after?: string;
  /** Every hit when absent. */
  limit?: number;
  /** Only these components (normalised names): the search index re-reading what changed. */
  normalizedNames?: string[];
}

export interface SearchHit {
  name: string;
  description: string;
  provides: string[];
  options: Record<string, unknown>;
  team: string;
}

export interface NewVersion {
  /** The name as published, its normalised form, and the team that owns it if this publish creates it. */
  name: string;
  normalizedName: string;
  teamId: string;
  version: string;
  definition: unknown;
  digest: string;
  publisherId: string | null;
}

export type InsertResult = { inserted: true; publishedAt: Date } | { inserted: false; existing: { digest: string; publishedAt: Date } };

type Db = Prisma.TransactionClient | PrismaService;

/** Search text is literal: `%`, `_` and the escape character itself match only themselves in ILIKE. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

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
        options: true,
        team: { select: { id: true, name: true } },
        versions: { select: { version: true, digest: true, yanked: true, yankReason: true, publishedAt: true, definition: true } },
      },
    });
    if (!c) return null;
    return { ...c, options: asObject(c.options), versions: c.versions.sort((a, b) => semver.rcompare(a.version, b.version)) };
  }

  async findVersion(normalizedName: string, version: string): Promise<VersionRecord | null> {
    const v = await this.prisma.version.findFirst({
      where: { version, component: { normalizedName } },
      select: { version: true, digest: true, definition: true, yanked: true, publishedAt: true, component: { select: { name: true } } },
    });
    return v && { name: v.component.name, version: v.version, digest: v.digest, definition: v.definition, yanked: v.yanked, publishedAt: v.publishedAt };
  }

  /** Every version of the given components (of all components without `normalizedNames`), without definitions. */
  listVersions(normalizedNames?: string[]): Promise<VersionListRow[]> {
    const where = normalizedNames ? Prisma.sql`WHERE c."normalized_name" = ANY(${normalizedNames})` : Prisma.empty;
    return this.prisma.$queryRaw<VersionListRow[]>`
      SELECT c."normalized_name" AS "normalizedName", c."name", v."version", v."yanked"
      FROM "versions" v JOIN "components" c ON c."id" = v."component_id" ${where}`;
  }

  async search(q: SearchQuery): Promise<SearchHit[]> {
    const where: Prisma.ComponentWhereInput = {};
    if (q.text) {
      const literal = escapeLike(q.text);
      where.OR = [{ name: { contains: literal, mode: 'insensitive' } }, { description: { contains: literal, mode: 'insensitive' } }, { provides: { has: q.text.toLowerCase() } }];
    }
    if (q.provides) where.provides = { has: q.provides };
    if (q.after) where.name = { gt: q.after };
    if (q.normalizedNames) where.normalizedName = { in: q.normalizedNames };
    const rows = await this.prisma.component.findMany({
      where,
      orderBy: { name: 'asc' },
      take: q.limit,
      select: { name: true, description: true, provides: true, options: true, team: { select: { name: true } } },
    });
    return rows.map((r) => ({ name: r.name, description: r.description, provides: r.provides, options: asObject(r.options), team: r.team.name }));
  }

  /**
   * Publishes one version, creating the component (owned by `teamId`) if the normalised name is new. A new name
   * and its first version are inserted by one statement, so a publish that fails at any point (the insert
   * failing, the connection dropping, a crash) claims no name. If another publish created the name meanwhile,
   * the statement inserts nothing (it waited on the unique index for that one to commit) and this publish
   * continues under the existing owner, whom `authorize` checks.
   */
  async publish(v: NewVersion, authorize: (head: ComponentHead) => void): Promise<InsertResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = await this.findHead(v.normalizedName);
      if (head) {
        authorize(head);
        return this.insertVersion(head.id, v);
      }
      const publishedAt = await this.createWithFirstVersion(v);
      if (publishedAt) return { inserted: true, publishedAt };
    }
    throw new Error(`component ${v.normalizedName} was created and removed while publishing`);
  }

  /** The component row and its first version in one statement; null when the name exists already. */
  private async createWithFirstVersion(v: NewVersion): Promise<Date | null> {
    const p = semver.parse(v.version)!;
    const d = v.definition as { description?: string; provides?: string[]; options?: Record<string, unknown> };
    // the search fields bumpRevision would copy from the newest non-yanked version: this one
    const rows = await this.prisma.$queryRaw<{ published_at: Date }[]>`
      WITH c AS (
        INSERT INTO "components" ("id", "name", "normalized_name", "team_id", "revision", "description", "provides", "options")
        VALUES (${randomUUID()}::uuid, ${v.name}, ${v.normalizedName}, ${v.teamId}::uuid, 1, ${d.description ?? ''}, ${d.provides ?? []}::text[], ${JSON.stringify(d.options ?? {})}::jsonb)
        ON CONFLICT DO NOTHING
        RETURNING "id"
      )
      INSERT INTO "versions" ("id", "component_id", "version", "major", "minor", "patch", "prerelease", "definition", "digest", "publisher_id")
      SELECT ${randomUUID()}::uuid, c."id", ${v.version}, ${p.major}, ${p.minor}, ${p.patch}, ${p.prerelease.join('.')}, ${JSON.stringify(v.definition)}::jsonb, ${v.digest}, ${v.publisherId}::uuid
      FROM c
      RETURNING "published_at"`;
    return rows[0]?.published_at ?? null;
  }

  /**
   * Inserts one version of an existing component. The unique (component, version) index decides concurrent
   * publishes: the loser gets the existing row back. The version, the component's revision (its ETag) and its
   * search fields change in one transaction, so a reader never sees a new version under an old ETag for long.
   */
  private async insertVersion(componentId: string, v: NewVersion): Promise<InsertResult> {
    const parsed = semver.parse(v.version)!;
    try {
      const [created] = await this.prisma.$transaction([
        this.prisma.version.create({
          data: {
            componentId,
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
        this.bumpRevision(this.prisma, componentId),
      ]);
      return { inserted: true, publishedAt: created.publishedAt };
    } catch (e) {
      if (!(e instanceof Prisma.PrismaClientKnownRequestError) || e.code !== 'P2002') throw e;
      const existing = await this.prisma.version.findUniqueOrThrow({
        where: { componentId_version: { componentId, version: v.version } },
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
      this.bumpRevision(this.prisma, componentId),
    ]);
    return updated.count > 0;
  }

  /** Bumps the revision and copies description/provides/options from the newest non-yanked version (releases first). */
  private bumpRevision(db: Db, componentId: string) {
    return db.$executeRaw`
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
        "provides" = COALESCE((SELECT ARRAY(SELECT jsonb_array_elements_text(COALESCE(d->'provides', '[]'::jsonb))) FROM latest), ARRAY[]::TEXT[]),
        "options" = COALESCE((SELECT d->'options' FROM latest), '{}'::jsonb)
      WHERE c."id" = ${componentId}::uuid`;
  }
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
