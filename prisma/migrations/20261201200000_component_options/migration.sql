-- Typed component options (issue 11): the newest version's `options` declarations are copied onto the component
-- like its description and provides, so search results and the component document carry them without a join.

-- AlterTable
ALTER TABLE "components" ADD COLUMN "options" JSONB NOT NULL DEFAULT '{}';

-- Backfill from the newest non-yanked version (releases first), the order bumpRevision uses.
UPDATE "components" c SET "options" = COALESCE((
  SELECT v."definition"->'options' FROM "versions" v
  WHERE v."component_id" = c."id" AND NOT v."yanked"
  ORDER BY (v."prerelease" = '') DESC, v."major" DESC, v."minor" DESC, v."patch" DESC, v."published_at" DESC
  LIMIT 1
), '{}'::jsonb);
