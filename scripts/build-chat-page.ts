/**
 * `npm run build` step: bundles the chat page (constructs/web/page/) into
 * dist/constructs/web/page-build/, which RagChatWebsite deploys from the compiled library.
 * Fails when the bundle outgrows its budget: the page is meant to stay a few tens of KB.
 */
import * as path from 'path';
import { buildChatPage, PAGE_BUILD_DIR } from '../constructs/web/page-bundle';

const BUDGET_BYTES = 40 * 1024;
const outDir = path.join(__dirname, '..', 'dist', 'constructs', 'web', PAGE_BUILD_DIR);
const sizes = buildChatPage(outDir);
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
console.log(`chat page: ${Object.entries(sizes).map(([f, n]) => `${f} ${n} B`).join(', ')}; ${total} B in all -> ${path.relative(process.cwd(), outDir)}`);
if (total > BUDGET_BYTES) {
  console.error(`chat page: ${total} B is over its ${BUDGET_BYTES} B budget`);
  process.exit(1);
}
