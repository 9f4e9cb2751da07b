import { describe, test, expect } from '@jest/globals';
import { mergeServiceFragment } from './merge-service.js';
import { publishedPorts, bindingsClash } from './published-ports.js';
import { validateComposeSchema } from './validate-compose-schema.js';
import { ErrorCodes, HsmError } from '../errors.js';

describe('mergeServiceFragment (Compose override rules)', () => {
  test('mappings merge, scalars and commands are replaced', () => {
    const merged = mergeServiceFragment(
      { image: 'a:1', command: ['serve', '--prod'], healthcheck: { test: ['CMD', 'a'], interval: '5s' }, deploy: { resources: { limits: { cpus: '1' } } } },
      { image: 'a:dev', command: ['serve', '--reload'], healthcheck: { test: ['CMD', 'b'] }, deploy: { resources: { limits: { memory: '1g' } } } },
    );
    expect(merged).toEqual({
      image: 'a:dev',
      command: ['serve', '--reload'],
      healthcheck: { test: ['CMD', 'b'], interval: '5s' },
      deploy: { resources: { limits: { cpus: '1', memory: '1g' } } },
    });
  });

  test('environment and labels merge by key, whatever form each side uses', () => {
    const merged = mergeServiceFragment({ environment: ['A=1', 'B=2'], labels: { x: '1' } }, { environment: { B: '3', C: '4' }, labels: ['y=2'] });
    expect(merged).toEqual({ environment: { A: '1', B: '3', C: '4' }, labels: { x: '1', y: '2' } });
  });

  test('volumes are unique by target, ports and other lists append without duplicates', () => {
    const merged = mergeServiceFragment(
      { volumes: ['data:/data', './conf:/etc/app:ro'], ports: ['80:80'], dns: ['1.1.1.1'] },
      { volumes: ['./src:/app', { type: 'bind', source: './conf.dev', target: '/etc/app' }], ports: ['80:80', '9229:9229'], dns: ['8.8.8.8'] },
    );
    expect(merged.volumes).toEqual(['data:/data', './src:/app', { type: 'bind', source: './conf.dev', target: '/etc/app' }]);
    expect(merged.ports).toEqual(['80:80', '9229:9229']);
    expect(merged.dns).toEqual(['1.1.1.1', '8.8.8.8']);
  });

  test('build as a string is the context', () => {
    expect(mergeServiceFragment({ build: 'docker' }, { build: { dockerfile: 'Dockerfile.dev', args: ['X=1'] } })).toEqual({
      build: { context: 'docker', dockerfile: 'Dockerfile.dev', args: ['X=1'] },
    });
    expect(mergeServiceFragment({ build: { args: { A: '1' } } }, { build: { args: ['B=2'] } })).toEqual({ build: { args: { A: '1', B: '2' } } });
  });
});

describe('publishedPorts', () => {
  test('short and long syntax', () => {
    expect(publishedPorts('6333:6333').map((b) => [b.ip, b.port, b.protocol])).toEqual([[null, 6333, 'tcp']]);
    expect(publishedPorts('127.0.0.1:8080:80/udp').map((b) => [b.ip, b.port, b.protocol])).toEqual([['127.0.0.1', 8080, 'udp']]);
    expect(publishedPorts('[::1]:8080:80').map((b) => b.ip)).toEqual(['::1']);
    expect(publishedPorts('0.0.0.0:5000-5002:5000-5002').map((b) => b.port)).toEqual([5000, 5001, 5002]);
    expect(publishedPorts({ target: 80, published: '8000', host_ip: '127.0.0.1' }).map((b) => [b.ip, b.port])).toEqual([['127.0.0.1', 8000]]);
    for (const none of [80, '80', '127.0.0.1::80', '${PORT}:80', { target: 80 }]) expect(publishedPorts(none)).toEqual([]);
  });

  test('addresses overlap when either is unspecified', () => {
    const [all] = publishedPorts('9000:1');
    const [lo] = publishedPorts('127.0.0.1:9000:1');
    const [lo2] = publishedPorts('127.0.0.2:9000:1');
    expect(bindingsClash(all, lo)).toBe(true);
    expect(bindingsClash(lo, lo2)).toBe(false);
  });
});

describe('validateComposeSchema', () => {
  test('accepts a valid file, names the path of an invalid one', async () => {
    await validateComposeSchema('services:\n  a:\n    image: x\n    pull_policy: missing\nvolumes:\n  d: {}\n');
    for (const [text, path] of [
      ['services:\n  a:\n    image: x\n    pul_policy: missing\n', 'services.a'],
      ['services:\n  a:\n    image: x\n    volumes: [{ type: bogus, target: /x }]\n', 'services.a.volumes.0.type'],
      ['servces: {}\n', '(top level)'],
    ] as const) {
      try {
        await validateComposeSchema(text);
        throw new Error(`expected ${text} to be invalid`);
      } catch (e) {
        expect((e as HsmError).code).toBe(ErrorCodes.COMPOSE_INVALID);
        expect((e as HsmError).message).toContain(`\`${path}\``);
      }
    }
  });
});
