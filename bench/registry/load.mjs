#!/usr/bin/env node
/**
 * The load generator for one scenario (run by the benchmark on its own CPU): autocannon, each request picked at
 * random from the scenario's list (so a read touches the whole catalog, not one hot document), or for `publish`
 * a new version of a generated component per request. Reads the scenario from the JSON file named by argv[2],
 * prints autocannon's result as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const autocannon = createRequire(join(here, 'package.json'))('autocannon');
const s = JSON.parse(readFileSync(process.argv[2], 'utf8'));

let n = 0;
const pick = () => s.requests[Math.floor(Math.random() * s.requests.length)];
const setupRequest = s.publish
  ? (req) => {
      const k = n++;
      const name = s.publish.names[k % s.publish.names.length];
      const version = `${100 + Math.floor(k / s.publish.names.length)}.0.0`;
      const def = { name, version, description: `${name}: published by the benchmark`, services: { [name]: { image: `registry.example.com/bench/${name}:${version}` } } };
      return { ...req, method: 'PUT', path: `/v1/components/${name}/versions/${version}`, headers: { ...s.headers, 'content-type': 'application/json' }, body: JSON.stringify(def) };
    }
  : (req) => {
      const r = pick();
      return { ...req, method: s.method ?? 'GET', path: r.path, headers: { ...s.headers, ...r.headers }, body: r.body };
    };

const result = await autocannon({
  url: s.url,
  connections: s.connections,
  duration: s.duration,
  requests: [{ setupRequest }],
});
process.stdout.write(JSON.stringify(result));
