/**
 * Bundles the operator CLI (bin/llm-recipes.ts) with the AWS SDK clients it calls into one file,
 * dist/bin/llm-recipes.js, the package's `bin`. The SDK clients are then devDependencies: jsii
 * accepts only jsii modules (or bundled ones) as dependencies, and a team that only synthesizes
 * constructs installs none of the CLI's clients. `npm run build` runs it after tsc.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'bin', 'llm-recipes.js');

function bundleCli() {
  require('esbuild').buildSync({
    entryPoints: [path.join(ROOT, 'bin', 'llm-recipes.ts')],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // package.json engines: node >= 20.
    target: 'node20',
    minify: true,
    logLevel: 'warning',
  });
  fs.chmodSync(OUT, 0o755);
  return OUT;
}

module.exports = { bundleCli };

if (require.main === module) {
  const out = bundleCli();
  console.log(`bundle-cli: ${path.relative(ROOT, out)} ${fs.statSync(out).size} bytes`);
}
