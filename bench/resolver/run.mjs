#!/usr/bin/env node
// Resolver benchmark (SPEC §12): 10k synthetic definitions, a 500-component stack; then the input doubled.
// Budget: ≤ 300 ms and ≤ 200 MB; doubling the input at most ~doubles the time. Times are also printed as ratios
// against a baseline measured in the same run: JSON.parse of the same definitions (what reading them costs).
// Usage: npx tsc -b && node bench/resolver/run.mjs [--runs N]
import v8 from 'node:v8';
import vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import { resolve, digestOf, lockFromResolution } from '../../libs/core/dist/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;

/**
 * `names` components × 10 versions (1.0.0…1.4.0, 2.0.0…2.4.0). Components 0…stack-1 form the stack: each
 * requires the next three with `^1` (so the 2.x versions are filtered out), every 50th one's newest version
 * asks for `^2` of its successor, which its predecessor's `^1` forbids (forcing a backtrack), every 25th
 * declares a conflict with a component outside the stack, and every 10th provides an interface that every
 * 100th requires. The other components are noise the resolver must not touch.
 */
function generate(names, stackSize) {
  const pad = (i) => `c${String(i).padStart(6, '0')}`;
  const definitions = [];
  for (let i = 0; i < names; i++) {
    for (const major of [1, 2]) {
      for (let minor = 0; minor < 5; minor++) {
        const version = `${major}.${minor}.0`;
        const requires = [];
        if (i < stackSize) {
          for (let k = 1; k <= 3 && i + k < stackSize; k++) {
            const backtrack = k === 1 && i % 50 === 1 && major === 1 && minor === 4;
            requires.push(`${pad(i + k)}@${backtrack ? '^2' : '^1'}`);
          }
          if (i % 100 === 0) requires.push({ interface: 'metrics' });
        }
        definitions.push({
          name: pad(i),
          version,
          description: `synthetic component ${i}`,
          ...(i % 10 === 0 ? { provides: ['metrics'] } : {}),
          ...(requires.length ? { requires } : {}),
          ...(i % 25 === 0 ? { conflicts: [pad(names - 1 - i)] } : {}),
          python: { package: `pkg-${i}`, requirement: `pkg-${i}>=${version}` },
          services: i % 3 === 0 ? { [`svc${i}`]: { image: `example/svc${i}:${version}`, ports: [`${10000 + i}:80`] } } : undefined,
          env: { [`C${i}_URL`]: `http://localhost:${10000 + i}` },
        });
      }
    }
  }
  const json = JSON.stringify(definitions);
  const components = new Map();
  for (const d of JSON.parse(json)) {
    const list = components.get(d.name) ?? [];
    list.push({ name: d.name, version: d.version, digest: digestOf(d), yanked: d.version === '1.3.0' && d.name.endsWith('7'), definition: d });
    components.set(d.name, list);
  }
  const manifestComponents = {};
  for (let i = 0; i < stackSize; i += 10) manifestComponents[pad(i)] = { version: '^1' };
  return {
    json,
    registry: { name: 'builtin', kind: 'builtin', complete: true, components, interfaces: new Map() },
    manifest: { version: 1, name: 'bench', components: manifestComponents },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return median(out);
}

function measure(names, stackSize) {
  const { json, registry, manifest } = generate(names, stackSize);
  const input = { manifest, overlay: {}, registries: [registry] };
  const first = resolve(input);
  if (first.kind !== 'resolved') throw new Error('bench input asked for names');
  const size = first.resolution.components.length;
  const lock = { version: 1, components: lockFromResolution(first.resolution) };
  for (let i = 0; i < 3; i++) resolve(input); // warm up
  const baseline = time(() => JSON.parse(json));
  const fresh = time(() => resolve(input));
  const locked = time(() => resolve({ ...input, lock }));
  gc();
  const before = process.memoryUsage();
  let peak = before.heapUsed;
  const probe = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
  resolve(input);
  clearInterval(probe);
  const after = process.memoryUsage();
  peak = Math.max(peak, after.heapUsed);
  return { definitions: names * 10, size, baseline, fresh, locked, heapDeltaMb: (peak - before.heapUsed) / 2 ** 20, rssMb: after.rss / 2 ** 20, inputMb: json.length / 2 ** 20 };
}

const fmt = (n) => n.toFixed(1);
const small = measure(1000, 500);
const large = measure(2000, 1000);
for (const m of [small, large]) {
  console.log(
    `${m.definitions} definitions (${fmt(m.inputMb)} MB JSON), ${m.size}-component stack: ` +
      `resolve ${fmt(m.fresh)} ms = ${fmt(m.fresh / m.baseline)}× JSON.parse (${fmt(m.baseline)} ms); ` +
      `with hsm.lock ${fmt(m.locked)} ms = ${fmt(m.locked / m.baseline)}×; ` +
      `heap during resolve +${fmt(m.heapDeltaMb)} MB, process RSS ${fmt(m.rssMb)} MB`,
  );
}
const growth = large.fresh / small.fresh;
const baselineGrowth = large.baseline / small.baseline;
console.log(`doubling the input: resolve ×${fmt(growth)} (JSON.parse ×${fmt(baselineGrowth)})`);
const checks = [
  [`resolve ≤ 300 ms (10k definitions)`, small.fresh <= 300],
  [`RSS ≤ 200 MB (10k definitions)`, small.rssMb <= 200],
  [`doubling ≤ ~2× the time (≤ 2.5×)`, growth <= 2.5],
];
for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
