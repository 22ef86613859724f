/**
 * `node -r ./scripts/register-ts.js file.ts`: loads TypeScript files with esbuild (types stripped,
 * not checked): the fast start of cdk.json's app, the bench and the scripts. Stack traces point at
 * the .ts lines through the inline source maps. The output is cached under
 * node_modules/.cache/register-ts, keyed by file name, text, esbuild version and tsconfig.json (a
 * cache miss costs about 10 ms a file; the app loads about 40).
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { transformTs, TRANSFORM_VERSION } = require('./esbuild-ts');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'register-ts');

function compiled(filename) {
  const source = fs.readFileSync(filename, 'utf-8');
  const key = crypto.createHash('sha256').update(TRANSFORM_VERSION).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf-8');
  } catch {
    const code = transformTs(source, filename);
    try {
      // Write then rename: concurrent processes never read a partial file.
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only checkout only loses the cache.
    }
    return code;
  }
}

process.setSourceMapsEnabled(true);

for (const ext of ['.ts', '.tsx']) {
  require.extensions[ext] = function loadTs(module, filename) {
    module._compile(compiled(filename), filename);
  };
}
