import { describe, test, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import schema from './compose-spec-schema.js';

describe('compose-spec-validator.ts', () => {
  test('is the ahead-of-time compilation of compose-spec-schema.ts (regenerate with generate-compose-validator.mjs)', async () => {
    // @ts-expect-error: a plain .mjs helper without types
    const { generateComposeValidator } = await import('./generate-compose-validator.mjs');
    const fresh: string = await generateComposeValidator(schema);
    const checkedIn = readFileSync(fileURLToPath(new URL('./compose-spec-validator.ts', import.meta.url)), 'utf8');
    expect(fresh === checkedIn).toBe(true);
  });
});
