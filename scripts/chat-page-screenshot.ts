/**
 * `npm run screenshot`: docs/chat-page.png, the chat page answering a Japanese question, taken in
 * headless Chromium against the same loopback rig as the browser tests (test/util/chat-page-rig.ts:
 * the built page, the fake Cognito, the real RAG handler over the fake Kendra and SageMaker).
 * Needs the browser and the Japanese font of `npm run test-tools`.
 */
import * as path from 'path';
import { startChatPageRig } from '../test/util/chat-page-rig';
import { kendraRetrieveResult, lmiAnswer } from '../test/util/fake-rag-services';

const OUT = path.join(__dirname, '..', 'docs', 'chat-page.png');

async function main(): Promise<void> {
  const rig = await startChatPageRig();
  try {
    rig.services.routes.Retrieve = () => kendraRetrieveResult([
      { title: '出張・経費精算規程 第4条', uri: 'https://intranet.example.com/rules/travel#4', content: '国内出張の交通機関と宿泊は、出発の3営業日前までに出張デスクで予約する。' },
      { title: '出張デスク FAQ', uri: 'https://intranet.example.com/faq/travel-desk', content: '出張デスクは平日9時から18時まで受け付け、1営業日以内に回答します。' },
    ]);
    rig.services.routes.InvokeEndpoint = () => lmiAnswer('国内出張の交通機関と宿泊は、出発の3営業日前までに出張デスクで予約してください [1]。出張デスクは平日9時から18時まで受け付けており、1営業日以内に回答があります [2]。');
    const context = await rig.browser.newContext({ locale: 'ja-JP', viewport: { width: 960, height: 720 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(rig.server.url);
    await page.getByRole('button', { name: 'サインイン' }).click();
    const box = page.getByRole('textbox', { name: '質問' });
    await box.fill('出張の予約はいつまでに、どこですればよいですか？');
    await box.press('Control+Enter');
    await page.locator('#log li.assistant').waitFor();
    await page.screenshot({ path: OUT, fullPage: true });
    console.log(`chat page screenshot: ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await rig.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
