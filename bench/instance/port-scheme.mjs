#!/usr/bin/env node
// The port scheme of parallel worktrees (issue 12) on the built-in catalog: every catalog service port in one stack
// (each declared port once), instance slots 0–9. Counts host ports used twice — between two services of one slot,
// or between two slots — for hsm's scheme and, as the baseline in the same run, for a plain offset added to every
// port (declared + 1000·slot, what a single PORT_OFFSET gives), and for each with a random tenth of the candidate
// ports already in use on the machine. Also times one instancePorts call. Not a test: prints figures.
// Usage: npx tsc -b && node bench/instance/port-scheme.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { instancePorts, publishedPorts, portVariable, MAX_SLOT, SLOT_STRIDE } from '../../libs/core/dist/index.js';

const seed = join(import.meta.dirname, '../../registry-seed');
const declared = new Map();
let components = 0;
for (const name of readdirSync(seed)
  .filter((n) => n !== 'groups')
  .sort()) {
  const newest = readdirSync(join(seed, name)).sort().pop();
  const def = parse(readFileSync(join(seed, name, newest), 'utf8'));
  components++;
  for (const [service, body] of Object.entries(def.services ?? {})) {
    for (const entry of body.ports ?? []) {
      const text = String(entry).replace(/\$\{\{\s*options\.(\w+)\s*\}\}/g, (_, o) => String(def.options?.[o]?.default));
      for (const b of publishedPorts(text)) if (!declared.has(b.port)) declared.set(b.port, { key: portVariable(service, b.port), port: b.port });
    }
  }
}
const stack = [...declared.values()];

function collisions(portsOf) {
  const seen = new Map();
  let twice = 0;
  for (let slot = 0; slot <= MAX_SLOT; slot++) {
    for (const p of Object.values(portsOf(slot))) {
      if (seen.has(p)) twice++;
      else seen.set(p, slot);
    }
  }
  return twice;
}
const offset = (slot) => Object.fromEntries(stack.map((d) => [d.key, d.port + SLOT_STRIDE * slot]));
let state = 1;
const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const busy = new Set(Array.from({ length: 6000 }, () => 1024 + Math.floor(random() * 64000)));

const t0 = performance.now();
for (let i = 0; i < 100; i++) instancePorts(stack, 1 + (i % MAX_SLOT), busy);
const perCall = (performance.now() - t0) / 100;

console.log(`catalog: ${components} components, ${stack.length} distinct declared host ports; slots 0-${MAX_SLOT}`);
console.log(`plain offset (declared + ${SLOT_STRIDE}*slot): ${collisions(offset)} ports used twice`);
console.log(`hsm instancePorts:                   ${collisions((s) => instancePorts(stack, s))} ports used twice`);
console.log(
  `hsm instancePorts, ${busy.size} ports in use:  ${collisions((s) => instancePorts(stack, s, busy))} ports used twice, none of them in use: ${[...Array(MAX_SLOT).keys()].every((i) => Object.values(instancePorts(stack, i + 1, busy)).every((p) => !busy.has(p)))}`,
);
console.log(`one instancePorts call: ${perCall.toFixed(3)} ms`);
