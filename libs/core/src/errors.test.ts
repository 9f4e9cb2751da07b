import { describe, expect, test } from '@jest/globals';
import { ErrorCodes, HsmError, isErrorCode } from './errors.js';

describe('HsmError', () => {
  test('toJSON carries the details (only when there are some) with URL credentials redacted', () => {
    const e = new HsmError(ErrorCodes.UV_FAILED, 'uv failed', {
      hint: 'see uv',
      details: ['error: Failed to fetch: `https://__token__:pypi-AgEIcHlwaS5vcmc@pypi.example.com/simple/x/`', 'plain line'],
    });
    expect(e.toJSON()).toEqual({
      code: 'HSM_UV_FAILED',
      message: 'uv failed',
      hint: 'see uv',
      details: ['error: Failed to fetch: `https://[redacted]@pypi.example.com/simple/x/`', 'plain line'],
    });
    expect(JSON.stringify(e.toJSON())).not.toContain('pypi-AgEI');
    expect(e.details[0]).not.toContain('pypi-AgEI');
    expect(new HsmError(ErrorCodes.USAGE, 'bad').toJSON()).toEqual({ code: 'HSM_USAGE', message: 'bad' });
  });

  test('codes are the ErrorCodes values: a typo does not compile, a foreign code is recognised as foreign', () => {
    // @ts-expect-error a code that is not in ErrorCodes is a compile error
    expect(new HsmError('HSM_TYPO', 'x').code).toBe('HSM_TYPO');
    expect(isErrorCode('HSM_REGISTRY_ERROR')).toBe(true);
    expect(isErrorCode('HSM_FROM_THE_FUTURE')).toBe(false);
  });
});
