import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as esbuildApi from 'esbuild';

/** The page's files as `npm run build` writes them (index.html, app.js, app.css), beside the compiled construct. */
export const PAGE_BUILD_DIR = 'page-build';

/** Where the page's sources are when the library runs from its TypeScript sources. */
const PAGE_SOURCES = path.join(__dirname, 'page');

/**
 * Bundles the page (constructs/web/page/main.ts and its imports) with esbuild into `outDir`:
 * index.html, app.js (minified, ES2022 for current browsers), app.css. Returns the files' sizes in bytes.
 */
export function buildChatPage(outDir: string): { [file: string]: number } {
  // Loaded here only: the compiled library never builds the page, it deploys the built files.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof esbuildApi;
  fs.mkdirSync(outDir, { recursive: true });
  esbuild.buildSync({
    entryPoints: [path.join(PAGE_SOURCES, 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'error',
  });
  for (const file of ['index.html', 'app.css']) fs.copyFileSync(path.join(PAGE_SOURCES, file), path.join(outDir, file));
  return Object.fromEntries(['index.html', 'app.js', 'app.css'].map((f) => [f, fs.statSync(path.join(outDir, f)).size]));
}

let builtFromSources: string | undefined;

/**
 * The directory of the built page: `page-build/` beside this module when the library runs from
 * dist/ (`npm run build` wrote it); when it runs from its TypeScript sources, a build of the current
 * sources in the temporary directory, named by a hash of those sources, of this module and of esbuild's version, so a
 * synthesis never deploys a stale page and each version of the page is bundled once, not once per
 * process.
 */
export function chatPageDir(): string {
  const built = path.join(__dirname, PAGE_BUILD_DIR);
  if (fs.existsSync(path.join(built, 'index.html'))) return built;
  if (!fs.existsSync(path.join(PAGE_SOURCES, 'main.ts'))) {
    throw new Error(`RagChatWebsite: the chat page is not built (${built} is missing); run \`npm run build\`, which bundles it`);
  }
  if (builtFromSources === undefined) {
    const dir = path.join(os.tmpdir(), `rag-chat-page-${sourcesHash()}`);
    if (!fs.existsSync(path.join(dir, 'index.html'))) {
      // Built aside, then renamed: a concurrent process (a Jest worker) never sees a partial page.
      const partial = fs.mkdtempSync(`${dir}-partial-`);
      buildChatPage(partial);
      try {
        fs.renameSync(partial, dir);
      } catch {
        // Another process renamed its identical build first.
        fs.rmSync(partial, { recursive: true, force: true });
      }
    }
    builtFromSources = dir;
  }
  return builtFromSources;
}

/**
 * A hash of what the bundle is made of: the page's source files (every import of main.ts is in
 * page/), this module (buildChatPage's options) and esbuild's version.
 */
function sourcesHash(): string {
  const hash = crypto.createHash('sha256');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  hash.update((require('esbuild') as typeof esbuildApi).version).update('\0').update(fs.readFileSync(__filename));
  for (const file of fs.readdirSync(PAGE_SOURCES).sort()) {
    hash.update('\0').update(file).update('\0').update(fs.readFileSync(path.join(PAGE_SOURCES, file)));
  }
  return hash.digest('hex').slice(0, 16);
}
