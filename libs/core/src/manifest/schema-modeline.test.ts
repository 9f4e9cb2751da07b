import { describe, expect, test } from '@jest/globals';
import { MANIFEST_MODELINE, isMachineSchemaPath, portableSchemaModeline, schemaModelineTarget } from './schema-modeline.js';

const BODY = 'version: 1\r\nname: shop   # keep me\r\ncomponents: {}\r\n';

describe('portableSchemaModeline', () => {
  test('replaces only the machine path of an older hsm, keeping every other byte (CRLF included)', () => {
    const old = `# yaml-language-server: $schema=/home/ana/hsm/apps/cli/dist/schemas/hsm.schema.json\r\n${BODY}`;
    expect(portableSchemaModeline(old)).toBe(`${MANIFEST_MODELINE}\r\n${BODY}`);
    const npmGlobal = `# header\n#  yaml-language-server:  $schema=/usr/lib/node_modules/hyper-stack-manager/dist/schemas/hsm.schema.json  \n${BODY}`;
    expect(portableSchemaModeline(npmGlobal)).toBe(`# header\n#  yaml-language-server:  $schema=.hsm/hsm.schema.json  \n${BODY}`);
    expect(portableSchemaModeline(`# yaml-language-server: $schema=C:\\Users\\ana\\hsm\\schemas\\hsm.schema.json\n${BODY}`)).toBe(`${MANIFEST_MODELINE}\n${BODY}`);
  });

  test('leaves a relative line, a URL, a user-chosen schema and a manifest without the line alone', () => {
    for (const text of [
      `${MANIFEST_MODELINE}\n${BODY}`,
      `# yaml-language-server: $schema=https://hsm.example.com/schemas/hsm.schema.json\n${BODY}`,
      `# yaml-language-server: $schema=/opt/team/our-own.schema.json\n${BODY}`,
      BODY,
      `name: "# yaml-language-server: $schema=/x/hsm.schema.json"\n`,
    ]) {
      expect(portableSchemaModeline(text)).toBeNull();
    }
  });

  test('reads the target and tells machine paths from portable ones', () => {
    expect(schemaModelineTarget(`${MANIFEST_MODELINE}\n`)).toBe('.hsm/hsm.schema.json');
    expect(schemaModelineTarget(BODY)).toBeNull();
    expect(isMachineSchemaPath('file:///tmp/x/hsm.schema.json')).toBe(true);
    expect(isMachineSchemaPath('.hsm/hsm.schema.json')).toBe(false);
    expect(isMachineSchemaPath('/tmp/x/hsm.local.schema.json')).toBe(false);
  });
});
