/**
 * Concurrent publishes (SPEC §9, §13): of 50 different bodies for one version exactly one wins and the rest get
 * 409, never a 500, and the stored digest is the winner's; 50 different versions at once are all stored.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { digestOf, ErrorCodes } from '@hsm/core';
import { definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let reg: TestRegistry;
let token: string;

beforeAll(async () => {
  reg = await startRegistry();
  token = (await reg.createToken(['publish'], 'racers')).token;
});
afterAll(async () => {
  await reg?.close();
});

async function stored(name: string): Promise<{ version: string; digest: string; definition: unknown }[]> {
  const c = new pg.Client({ connectionString: reg.db.url });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT v.version, v.digest, v.definition FROM versions v JOIN components c ON c.id = v.component_id WHERE c.name = $1`, [name]);
    return rows;
  } finally {
    await c.end();
  }
}

describe('concurrent publishes', () => {
  test('50 different bodies for one version (new name): exactly one 201, 49 × 409, stored digest is the winner’s', async () => {
    const bodies = Array.from({ length: 50 }, (_, i) => definition('contended', '1.0.0', { description: `body ${i}` }));
    const started = Date.now();
    const results = await Promise.all(bodies.map((b) => reg.request('PUT', '/v1/components/contended/versions/1.0.0', { token, body: b })));
    expect(Date.now() - started).toBeLessThan(30_000);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 409)) expect(r.json.error.code).toBe(ErrorCodes.VERSION_EXISTS);
    const winner = results.findIndex((r) => r.status === 201);
    const rows = await stored('contended');
    expect(rows).toHaveLength(1);
    expect(rows[0].digest).toBe(digestOf(bodies[winner]));
    expect(rows[0].digest).toBe(results[winner].json.digest);
    expect(rows[0].definition).toEqual(bodies[winner]);
    // and the service serves the winner
    const doc = await reg.request('GET', '/v1/components/contended/versions/1.0.0');
    expect(doc.json.digest).toBe(digestOf(bodies[winner]));
  });

  test('50 publishes mixing identical and different bodies: identical ones are 200, the rest 409, none lost', async () => {
    await reg.request('PUT', '/v1/components/mixed/versions/0.1.0', { token, body: definition('mixed', '0.1.0') });
    const same = definition('mixed', '1.0.0', { description: 'same' });
    const bodies = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? same : definition('mixed', '1.0.0', { description: `other ${i}` })));
    const results = await Promise.all(bodies.map((b) => reg.request('PUT', '/v1/components/mixed/versions/1.0.0', { token, body: b })));
    expect(results.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    const rows = (await stored('mixed')).filter((r) => r.version === '1.0.0');
    expect(rows).toHaveLength(1);
    const winnerDigest = rows[0].digest;
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    results.forEach((r, i) => {
      const mine = digestOf(bodies[i]);
      if (mine === winnerDigest) expect([200, 201]).toContain(r.status);
      else expect(r.status).toBe(409);
    });
  });

  test('50 different versions at once: all 50 stored and listed', async () => {
    const versions = Array.from({ length: 50 }, (_, i) => `1.${i}.0`);
    const results = await Promise.all(versions.map((v) => reg.request('PUT', `/v1/components/many-versions/versions/${v}`, { token, body: definition('many-versions', v) })));
    expect(results.map((r) => r.status)).toEqual(versions.map(() => 201));
    const rows = await stored('many-versions');
    expect(rows.map((r) => r.version).sort()).toEqual([...versions].sort());
    for (const r of rows) expect(r.digest).toBe(digestOf(definition('many-versions', r.version)));
    const doc = await reg.request('GET', '/v1/components/many-versions');
    expect(doc.json.versions).toHaveLength(50);
    expect(doc.json.versions[0].version).toBe('1.49.0');
  });
});
