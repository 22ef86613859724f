/**
 * `node -r ./scripts/register-ts.js file.ts`: loads TypeScript files with esbuild (types stripped,
 * not checked), the fast start of cdk.json's app (about 0.1 s against ts-node's 1-2 s). Stack traces
 * point at the .ts lines through the inline source maps.
 */
'use strict';
const fs = require('fs');
const { transformTs } = require('./esbuild-ts');

process.setSourceMapsEnabled(true);

for (const ext of ['.ts', '.tsx']) {
  require.extensions[ext] = function loadTs(module, filename) {
    module._compile(transformTs(fs.readFileSync(filename, 'utf-8'), filename), filename);
  };
}
