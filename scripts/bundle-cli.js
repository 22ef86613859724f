/**
 * Bundles the operator CLI (bin/llm-recipes.ts) into two files in dist/bin/:
 *   llm-recipes.js          the package's `bin`: the CLI and the catalog, no AWS SDK code;
 *   llm-recipes-aws-sdk.js  the AWS SDK clients the CLI imports, required at run time only by the
 *                           `await import('@aws-sdk/client-...')` of a command that calls AWS.
 * An offline command (`plan`, `--help`) then parses and evaluates no SDK code: the SDK is about 95%
 * of the CLI's code, and compiling it was most of `plan`'s time. The SDK clients stay
 * devDependencies: jsii accepts only jsii modules (or bundled ones) as dependencies, and a team that
 * only synthesizes constructs installs none of them. `npm run build` runs this after tsc.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CLI_FILE = 'llm-recipes.js';
const SDK_FILE = 'llm-recipes-aws-sdk.js';
const SDK_MODULE = /^@(aws-sdk|smithy)\//;

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'warning', metafile: true };

/**
 * Builds both files into `outDir` (default dist/bin). Resolves to their paths and the SDK modules
 * the CLI imports; throws when the CLI file would hold any package code of node_modules.
 */
async function bundleCli(outDir = path.join(ROOT, 'dist', 'bin')) {
  const esbuild = require('esbuild');
  const sdkModules = new Set();
  // Each SDK import of the CLI becomes a stub that reads that module from the SDK file; esbuild
  // keeps the stub's require() where the import was, inside the command's async function.
  const sdkStubs = {
    name: 'aws-sdk-stubs',
    setup(build) {
      build.onResolve({ filter: SDK_MODULE }, (args) => {
        sdkModules.add(args.path);
        return { path: args.path, namespace: 'aws-sdk-stub' };
      });
      build.onLoad({ filter: /.*/, namespace: 'aws-sdk-stub' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${SDK_FILE}`)})[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
      // A stub's one import is the SDK file, left to run time.
      build.onResolve({ filter: /.*/, namespace: 'aws-sdk-stub' }, (args) => ({ path: args.path, external: true }));
    },
  };
  const cli = path.join(outDir, CLI_FILE);
  const cliBuild = await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'bin', 'llm-recipes.ts')], outfile: cli, plugins: [sdkStubs] });
  const packaged = Object.keys(cliBuild.metafile.inputs).filter((input) => input.includes('node_modules/'));
  if (packaged.length > 0) throw new Error(`bundle-cli: ${CLI_FILE} would hold package code; import it lazily in the command that needs it: ${packaged.slice(0, 5).join(', ')}`);
  fs.chmodSync(cli, 0o755);

  // One getter per module: requiring the SDK file evaluates only the clients a command asks for.
  const modules = [...sdkModules].sort();
  const sdk = path.join(outDir, SDK_FILE);
  await esbuild.build({
    ...common,
    stdin: {
      contents: `module.exports = {\n${modules.map((m) => `  get ${JSON.stringify(m)}() { return require(${JSON.stringify(m)}); },`).join('\n')}\n};\n`,
      resolveDir: ROOT,
      sourcefile: SDK_FILE,
      loader: 'js',
    },
    outfile: sdk,
  });
  return { cli, sdk, sdkModules: modules };
}

module.exports = { bundleCli };

if (require.main === module) {
  bundleCli().then(({ cli, sdk, sdkModules }) => {
    const size = (file) => `${path.relative(ROOT, file)} ${fs.statSync(file).size} bytes`;
    console.log(`bundle-cli: ${size(cli)}, ${size(sdk)} (${sdkModules.join(', ')})`);
  }, (e) => {
    console.error(e.message);
    process.exitCode = 1;
  });
}
