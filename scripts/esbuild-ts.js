/**
 * TypeScript to CommonJS with esbuild, types stripped and not checked (`tsc --noEmit` in `npm test`
 * is the type check; tsconfig.json has isolatedModules, so each file compiles on its own). Shared by
 * the `require` hook (scripts/register-ts.js: cdk.json's app, the bench, scripts) and Jest's
 * transform (test/util/esbuild-jest-transform.js). esbuild is a dependency already (the RAG
 * handler's bundling).
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const TSCONFIG = fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf-8');
// esbuild honours the compiler options that change emitted JavaScript (target, useDefineForClassFields
// from target ES2022, esModuleInterop, experimentalDecorators, ...).
const tsconfigRaw = JSON.parse(TSCONFIG);

/** JavaScript (CommonJS, an inline source map with the sources) for the TypeScript `source` of `filename`. */
function transformTs(source, filename) {
  // Loaded on first use: the require hook's cache hits need no esbuild service (about 10 ms a file).
  return require('esbuild').transformSync(source, {
    loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    sourcesContent: true,
    sourcefile: filename,
    tsconfigRaw,
    // `await import('x')` becomes `require('x')` in a promise, as tsc emits it for module commonjs:
    // under Jest a real import() fails without --experimental-vm-modules (the CLI's lazy SDK clients).
    supported: { 'dynamic-import': false },
  }).code;
}

/** What, besides a file's name and text, decides its output: for the cache keys of callers that cache. */
const TRANSFORM_VERSION = crypto.createHash('sha256')
  .update(require('esbuild/package.json').version).update('\0').update(TSCONFIG).update('\0').update(fs.readFileSync(__filename))
  .digest('hex');

module.exports = { transformTs, TRANSFORM_VERSION };
