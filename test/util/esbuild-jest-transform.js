/**
 * Jest transform: TypeScript to CommonJS with esbuild (scripts/esbuild-ts.js), several times faster
 * than ts-jest. Types are `tsc --noEmit`'s job in `npm test`. Stack traces map to the .ts lines
 * through the inline source map; the cache key covers the file, esbuild's version, tsconfig.json and
 * the transform itself. No `jest.mock` hoisting: the tests mock none of our modules.
 */
'use strict';
const crypto = require('crypto');
const { transformTs, TRANSFORM_VERSION } = require('../../scripts/esbuild-ts');

module.exports = {
  process(source, filename) {
    return { code: transformTs(source, filename) };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(TRANSFORM_VERSION).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
