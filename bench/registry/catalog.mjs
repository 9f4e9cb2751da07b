/**
 * A generated catalog for the registry benchmark: `components × versions` definitions of realistic shape
 * (description, provides, requires with caret ranges, a Python package or services with ports and env), from a
 * seeded PRNG so every run measures the same data. `seedCatalog` writes them straight into PostgreSQL in batches —
 * far faster than 100,000 PUTs — but stores exactly what publishing stores: the definition as the shared schema
 * returns it (`checkDefinition`), its digest (`digestOf`, canonical JSON), major/minor/patch, and per component
 * the revision, description and provides that the publish path copies from the newest non-yanked version.
 */
import { randomUUID } from 'node:crypto';

const WORDS = (
  'vector graph stream cache queue search store index event metric trace auth image audio text chat rag embed ' +
  'rank parse crawl sync batch relay proxy gate vault ledger pulse orbit delta prism flux atlas nova echo forge hive lumen'
).split(' ');
const KINDS = 'adapter worker service client server bridge api agent loader exporter'.split(' ');
const INTERFACES = Array.from({ length: 200 }, (_, i) =>
  i < 20
    ? ['embeddings', 'vector-store', 'queue', 'cache', 'object-store', 'search', 'llm', 'metrics', 'tracing', 'auth', 'kv-store', 'sql-db', 'blob', 'mail', 'scheduler', 'gateway', 'reranker', 'ocr', 'speech', 'vision'][
        i
      ]
    : `cap-${i}`,
);

/** Mulberry32: small, fast, deterministic. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function componentName(i) {
  return `${WORDS[i % WORDS.length]}-${KINDS[Math.floor(i / WORDS.length) % KINDS.length]}-${i}`;
}

/** The versions of component `i`: `count` ascending semver versions over one to three majors. */
function versionsOf(rand, count) {
  const out = [];
  let major = rand() < 0.3 ? 0 : 1;
  let minor = 0;
  let patch = 0;
  for (let k = 0; k < count; k++) {
    out.push(`${major}.${minor}.${patch}`);
    const step = rand();
    if (step < 0.1) [major, minor, patch] = [major + 1, 0, 0];
    else if (step < 0.5) [minor, patch] = [minor + 1, 0];
    else patch++;
  }
  return out;
}

/** Every definition of the catalog, component by component, versions ascending. */
function* generateDefinitions(components, versionsPerComponent, seed = 42) {
  for (let i = 0; i < components; i++) {
    const rand = prng(seed * 1_000_003 + i);
    const name = componentName(i);
    const provides = rand() < 0.6 ? [INTERFACES[Math.floor(rand() * INTERFACES.length)]] : [];
    const deps = Array.from({ length: Math.floor(rand() * 3) }, () => Math.floor(rand() * components)).filter((d) => d !== i);
    const python = rand() < 0.6;
    const words = Array.from({ length: 8 + Math.floor(rand() * 10) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    for (const version of versionsOf(rand, versionsPerComponent)) {
      const def = { name, version, description: `${name}: ${words}` };
      if (provides.length) def.provides = provides;
      if (deps.length) def.requires = [...new Set(deps)].map((d) => `${componentName(d)}@>=0`);
      if (python) def.python = { package: `bench-${name}`, requirement: `bench-${name}==${version}` };
      if (!python || rand() < 0.3) {
        def.services = {
          [name]: {
            image: `registry.example.com/bench/${name}:${version}`,
            ports: [`${8000 + (i % 1000)}`],
            environment: { [`${name.replace(/-/g, '_').toUpperCase()}_URL`]: `http://${name}:${8000 + (i % 1000)}`, LOG_LEVEL: 'info' },
            healthcheck: { test: ['CMD', 'wget', '-q', '-O-', `http://localhost:${8000 + (i % 1000)}/health`], interval: '10s' },
          },
        };
      }
      def.env = { [`${name.replace(/-/g, '_').toUpperCase()}_ENABLED`]: 'true' };
      yield { def, yanked: rand() < 0.02 };
    }
  }
}

/**
 * Writes the catalog into a migrated, empty registry database (one team `bench` owns it). `core` is
 * libs/core's build: `checkDefinition` and `digestOf` are the publish path's own.
 */
export async function seedCatalog(pg, databaseUrl, core, components, versionsPerComponent) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const teamId = randomUUID();
    await client.query('INSERT INTO "teams" ("id", "name") VALUES ($1, $2)', [teamId, 'bench']);
    let comps = [];
    let vers = [];
    let current = null;
    const flush = async () => {
      if (comps.length) {
        await client.query(
          `INSERT INTO "components" ("id", "name", "normalized_name", "team_id", "revision", "description", "provides")
           SELECT x.id, x.name, x.name, $2::uuid, x.revision, x.description, ARRAY(SELECT jsonb_array_elements_text(x.provides))
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, revision int, description text, provides jsonb)`,
          [JSON.stringify(comps), teamId],
        );
      }
      if (vers.length) {
        await client.query(
          `INSERT INTO "versions" ("id", "component_id", "version", "major", "minor", "patch", "prerelease", "definition", "digest", "yanked", "yanked_at")
           SELECT x.id, x.component_id, x.version, x.major, x.minor, x.patch, '', x.definition, x.digest, x.yanked, CASE WHEN x.yanked THEN now() END
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, component_id uuid, version text, major int, minor int, patch int, definition jsonb, digest text, yanked boolean)`,
          [JSON.stringify(vers)],
        );
      }
      comps = [];
      vers = [];
    };
    let count = 0;
    for (const { def, yanked } of generateDefinitions(components, versionsPerComponent)) {
      const definition = core.checkDefinition(def, `${def.name}@${def.version}`);
      if (current?.name !== def.name) {
        if (comps.length >= 500) await flush();
        current = { id: randomUUID(), name: def.name, revision: 0, description: '', provides: [] };
        comps.push(current);
      }
      current.revision++;
      // versions ascend: the last non-yanked one is the newest, whose search fields the component carries
      if (!yanked) [current.description, current.provides] = [definition.description ?? '', definition.provides ?? []];
      const [major, minor, patch] = def.version.split('.').map(Number);
      vers.push({ id: randomUUID(), component_id: current.id, version: def.version, major, minor, patch, definition, digest: core.digestOf(definition), yanked });
      count++;
    }
    await flush();
    await client.query('ANALYZE');
    return count;
  } finally {
    await client.end();
  }
}
