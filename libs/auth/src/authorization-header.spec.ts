import { describe, expect, it } from '@jest/globals';
import { accessTokenFromHeader } from './authorization-header.js';

describe('accessTokenFromHeader', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['JWT abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['jwt abc', 'abc'],
    ['BEARER  abc', 'abc'],
    ['JWT\tabc', 'abc'],
    [' Bearer abc ', 'abc'],
  ])('reads the token of %j', (header, token) => {
    expect(accessTokenFromHeader(header)).toBe(token);
  });

  it.each(['', 'Bearer', 'Bearer ', 'JWT', 'Basic YWxpY2U6cGFzc3dvcmQ=', 'Token abc', 'Bearerabc', 'JWTabc', 'Bearer a b', 'Bearer: abc', 'JWT-abc'])(
    'refuses %j',
    (header) => {
      expect(accessTokenFromHeader(header)).toBeUndefined();
    },
  );
});
