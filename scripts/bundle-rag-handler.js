/**
 * Bundles the RAG API's Lambda handler (constructs/rag/handler/index.ts) into assets/rag-handler/
 * (index.js + index.js.map), the ready asset RagApi deploys with lambda.Code.fromAsset: consumers
 * need neither esbuild nor LangChain at synth. The options are the ones RagApi's NodejsFunction
 * used (minify, source map, node24 target, CommonJS, `@aws-sdk/*` left to the Node.js 24 runtime's
 * SDK v3), so the function behaves as before. `npm run build` runs it (so does `prepare`, hence
 * `npm pack`); RagApi runs it from the sources when the bundle is missing or older than its inputs.
 * The inputs are listed in assets/rag-handler.inputs.json for that staleness check (outside the
 * asset directory, so they do not change its hash).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'constructs', 'rag', 'handler', 'index.ts');
const OUT_DIR = path.join(ROOT, 'assets', 'rag-handler');
const INPUTS = path.join(ROOT, 'assets', 'rag-handler.inputs.json');

/** Builds the bundle (into a temporary directory, then renamed: parallel Jest workers may race). */
function bundleRagHandler() {
  const esbuild = require('esbuild');
  const tmp = `${OUT_DIR}.${process.pid}.${Date.now()}.tmp`;
  const result = esbuild.buildSync({
    entryPoints: [ENTRY],
    outfile: path.join(tmp, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    sourcemap: true,
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((f) => path.relative(ROOT, path.resolve(f)));
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, OUT_DIR);
  } catch (e) {
    // Another process renamed its identical bundle first.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(OUT_DIR, 'index.js'))) throw e;
  }
  fs.writeFileSync(INPUTS, `${JSON.stringify(inputs.filter((f) => !f.startsWith('node_modules')), null, 2)}\n`);
  return OUT_DIR;
}

/** Whether the bundle is missing or older than one of the sources it was built from. */
function ragHandlerBundleStale() {
  const bundle = path.join(OUT_DIR, 'index.js');
  if (!fs.existsSync(bundle) || !fs.existsSync(INPUTS)) return true;
  const built = fs.statSync(bundle).mtimeMs;
  const inputs = JSON.parse(fs.readFileSync(INPUTS, 'utf-8'));
  return inputs.some((f) => !fs.existsSync(path.join(ROOT, f)) || fs.statSync(path.join(ROOT, f)).mtimeMs > built);
}

module.exports = { bundleRagHandler, ragHandlerBundleStale, RAG_HANDLER_ASSET_DIR: OUT_DIR };

if (require.main === module) {
  const dir = bundleRagHandler();
  console.log(`bundle-rag-handler: ${path.relative(ROOT, dir)}/index.js ${fs.statSync(path.join(dir, 'index.js')).size} bytes`);
}
