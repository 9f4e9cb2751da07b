import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { instancePorts, MAX_SLOT, type DeclaredPort } from './port-scheme.js';
import { parametrisePort, portVariable } from './port-variables.js';
import { publishedPorts } from '../compose/published-ports.js';

const stack: DeclaredPort[] = [
  { key: 'pg', port: 5432 },
  { key: 'pg2', port: 5433 },
  { key: 'redis', port: 6379 },
  { key: 'redis-b', port: 7379 }, // slot 1 of a plain +1000 offset would put redis here
  { key: 'web', port: 8000 },
  { key: 'web2', port: 8001 },
];

function allSlots(declared: DeclaredPort[], inUse?: Set<number>) {
  return Array.from({ length: MAX_SLOT + 1 }, (_, slot) => instancePorts(declared, slot, inUse));
}

describe('instancePorts', () => {
  test('slot 0 publishes the declared ports', () => {
    expect(instancePorts(stack, 0)).toEqual({ pg: 5432, pg2: 5433, redis: 6379, 'redis-b': 7379, web: 8000, web2: 8001 });
  });

  test('no two services of one stack, and no two slots, on one port', () => {
    const seen = new Map<number, string>();
    for (const [slot, ports] of allSlots(stack).entries()) {
      for (const [key, port] of Object.entries(ports)) {
        const where = `slot ${slot} ${key}`;
        expect([port, seen.get(port)]).toEqual([port, undefined]);
        seen.set(port, where);
      }
    }
    expect(seen.size).toBe(stack.length * (MAX_SLOT + 1));
  });

  test('a slot keeps its last digit, whatever it skipped', () => {
    for (let slot = 1; slot <= MAX_SLOT; slot++) {
      for (const p of Object.values(instancePorts(stack, slot, new Set([6379 + 1000 * slot, 5432 + 1000 * slot])))) expect(p % 10).toBe(slot);
    }
  });

  test('stable: same inputs, same ports, whatever the order they come in', () => {
    expect(instancePorts([...stack].reverse(), 3)).toEqual(instancePorts(stack, 3));
    // the first port at or above declared + 3000 that ends in 3
    expect(instancePorts(stack, 3)).toEqual({ pg: 8433, pg2: 8443, redis: 9383, 'redis-b': 10383, web: 11003, web2: 11013 });
  });

  test('ports in use are skipped, and only the one that is in use moves', () => {
    const free = instancePorts(stack, 1);
    const busy = instancePorts(stack, 1, new Set([free.redis]));
    expect(busy.redis).not.toBe(free.redis);
    expect(busy.redis % 10).toBe(1);
    expect({ ...busy, redis: 0 }).toEqual({ ...free, redis: 0 });
  });

  test('ports near the top wrap around and stay valid', () => {
    const ports = instancePorts([{ key: 'high', port: 65000 }], 9);
    expect(ports.high).toBeGreaterThanOrEqual(1024);
    expect(ports.high).toBeLessThanOrEqual(65535);
    expect(ports.high % 10).toBe(9);
  });

  test('a slot outside 0..9 is HSM_INSTANCE_INVALID', () => {
    expect(() => instancePorts(stack, 10)).toThrow(expect.objectContaining({ code: 'HSM_INSTANCE_INVALID' }));
    expect(() => instancePorts(stack, -1)).toThrow(expect.objectContaining({ code: 'HSM_INSTANCE_INVALID' }));
  });

  // the figure in the issue note: every catalog service with a port in one stack, slots 0..9
  test('the whole catalog in one stack, slots 0–9: no port used twice', () => {
    const seed = join(process.cwd(), 'registry-seed');
    const declared: DeclaredPort[] = [];
    for (const name of readdirSync(seed).filter((n) => n !== 'groups')) {
      const newest = readdirSync(join(seed, name)).sort().pop()!;
      const def = parse(readFileSync(join(seed, name, newest), 'utf8')) as { services?: Record<string, { ports?: unknown[] }>; options?: Record<string, { default?: unknown }> };
      for (const [service, body] of Object.entries(def.services ?? {})) {
        for (const entry of body.ports ?? []) {
          const text = String(entry).replace(/\$\{\{\s*options\.(\w+)\s*\}\}/g, (_, o: string) => String(def.options?.[o]?.default));
          for (const b of publishedPorts(text)) declared.push({ key: portVariable(service, b.port), port: b.port });
        }
      }
    }
    // different catalog components declare the same default port (redis and valkey, two Postgres): in one stack
    // the user moves one with `--with port=…`; here each keeps its first declaration
    const unique = [...new Map(declared.map((d) => [d.port, d])).values()];
    expect(unique.length).toBeGreaterThan(30);
    const all = allSlots(unique).flatMap((p) => Object.values(p));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('parametrisePort', () => {
  test('short and long syntax get a variable with the declared default; ranges and container-only ports do not', () => {
    expect(parametrisePort('redis', '127.0.0.1:6379:6379')).toBe('127.0.0.1:${HSM_PORT_REDIS_6379:-6379}:6379');
    expect(parametrisePort('my-db', '5433:5432/udp')).toBe('${HSM_PORT_MY_DB_5433:-5433}:5432/udp');
    expect(parametrisePort('v6', '[::1]:80:80')).toBe('[::1]:${HSM_PORT_V6_80:-80}:80');
    expect(parametrisePort('web', { target: 80, published: 8080, host_ip: '127.0.0.1' })).toEqual({ target: 80, published: '${HSM_PORT_WEB_8080:-8080}', host_ip: '127.0.0.1' });
    for (const same of ['80', '8000-8010:8000-8010', '127.0.0.1::80', 6379]) expect(parametrisePort('x', same)).toBe(same);
  });
});
