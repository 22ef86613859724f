import type { BrowserContext, Page } from 'playwright-core';
import { ChatPageServer } from '../util/chat-page-server';
import { RIG_KNOWLEDGE_BASE_ID, RIG_LIMITS, startChatPageRig, type ChatPageRig } from '../util/chat-page-rig';
import {
  inSequence, kendraError, kendraRetrieveResult, knowledgeBaseRequestOf, knowledgeBaseResult, lmiAnswer, lmiPayloadOf, runtimeError, type FakePassage,
} from '../util/fake-rag-services';
import { describeWithTools } from '../util/system-tools';

const PASSAGES: FakePassage[] = [
  { title: '経費精算規程', uri: 'https://intranet.example.com/expense', content: '出張は出張デスクで予約してください。' },
  { title: 'Travel FAQ', uri: 's3://docs/travel-faq.pdf', content: 'The Travel Desk answers within one business day.' },
];
const ANSWER = '出張デスクで予約してください [1]。回答は1営業日以内です [2]。';

describeWithTools(['chromium', 'japaneseFont'], 'the chat page in headless Chromium', () => {
  let rig: ChatPageRig;
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[];

  // One browser and one context for the file; each test gets a tab of its own, and with it a fresh
  // sessionStorage, the only storage the page uses (cookies are cleared too, though it sets none).
  beforeAll(async () => {
    rig = await startChatPageRig();
    context = await rig.browser.newContext({ locale: 'ja-JP' });
    context.setDefaultTimeout(5000);
    // An open tab on the rig's site keeps its renderer process alive between tests (the rig's browser
    // runs one renderer for them all), so the next test's tab does not start one.
    const keeper = await context.newPage();
    await keeper.goto(`${rig.server.url}/config.json`);
  });
  afterAll(() => rig?.stop());

  beforeEach(async () => {
    rig.reset();
    await context.clearCookies();
    page = await context.newPage();
    consoleErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });
  afterEach(async () => {
    await page.close();
  });

  async function signIn(): Promise<void> {
    await page.goto(rig.server.url);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.getByRole('textbox', { name: '質問' }).waitFor();
  }

  async function ask(question: string): Promise<void> {
    const box = page.getByRole('textbox', { name: '質問' });
    await box.fill(question);
    await box.press('Control+Enter');
  }

  function grounded(answer = ANSWER): void {
    rig.services.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    rig.services.routes.InvokeEndpoint = () => lmiAnswer(answer);
  }

  test('sign-in: the managed login redirect with PKCE, back on the page signed in, no code left in the address', async () => {
    await page.goto(rig.server.url);
    await page.getByText('社内ドキュメントについて質問するには、サインインしてください。').waitFor();
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.getByRole('button', { name: 'サインアウト' }).waitFor();
    const authorize = rig.cognito.calls('/oauth2/authorize');
    expect(authorize).toHaveLength(1);
    expect(authorize[0].query.get('code_challenge_method')).toBe('S256');
    expect(authorize[0].query.get('redirect_uri')).toBe(`${rig.server.url}/`);
    expect(rig.cognito.calls('/oauth2/token')).toHaveLength(1);
    expect(page.url()).toBe(`${rig.server.url}/`);
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    expect(await page.getByRole('textbox', { name: '質問' }).evaluate((e) => e === document.activeElement)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  test('asks by keyboard and shows the answer with numbered sources (title, link, excerpt); the token reaches the handler', async () => {
    grounded();
    await signIn();
    await ask('出張はどうやって予約しますか？');
    const answer = page.locator('#log li.assistant');
    await answer.waitFor();
    expect(await answer.locator('.content').textContent()).toBe(ANSWER);
    const sources = answer.locator('ol.sources > li');
    expect(await sources.count()).toBe(2);
    const link = sources.nth(0).getByRole('link', { name: '経費精算規程' });
    expect(await link.getAttribute('href')).toBe('https://intranet.example.com/expense');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await sources.nth(0).locator('blockquote').textContent()).toBe('出張は出張デスクで予約してください。');
    expect(await sources.nth(1).textContent()).toContain('Travel FAQ (s3://docs/travel-faq.pdf)');
    // The verified claims became Kendra's UserContext: the page's ID token went through.
    expect(rig.services.calls('Retrieve')[0].userContext).toEqual({ UserId: 'taro', Groups: ['staff'] });
    expect(consoleErrors).toEqual([]);
  });

  test('the conversation history goes with the next question', async () => {
    grounded();
    await signIn();
    await ask('出張はどうやって予約しますか？');
    await page.locator('#log li.assistant').first().waitFor();
    rig.services.routes.InvokeEndpoint = () => lmiAnswer('1営業日以内です [2]。');
    await ask('返事はいつ来ますか？');
    await page.locator('#log li.assistant').nth(1).waitFor();
    expect(rig.server.apiCalls.map((c) => c.body)).toEqual([
      { question: '出張はどうやって予約しますか？', history: [] },
      { question: '返事はいつ来ますか？', history: [{ role: 'user', content: '出張はどうやって予約しますか？' }, { role: 'assistant', content: ANSWER }] },
    ]);
    expect(lmiPayloadOf(rig.services.calls('InvokeEndpoint')[1]).inputs).toContain('出張はどうやって予約しますか？');
  });

  test('the history keeps to the API\'s limits from config.json: the latest turns, no more than maxHistoryTurns and maxHistoryChars', async () => {
    grounded();
    await signIn();
    for (const [i, answer] of ['一つ目の答え。', '二つ目の答え。', 'あ'.repeat(RIG_LIMITS.maxHistoryChars), '四つ目の答え。'].entries()) {
      rig.services.routes.InvokeEndpoint = () => lmiAnswer(answer);
      await ask(`質問${i + 1}`);
      await page.locator('#log li.assistant').nth(i).waitFor();
    }
    expect(rig.server.apiCalls.map((c) => [c.status, (c.body as { history: unknown[] }).history])).toEqual([
      [200, []],
      [200, [{ role: 'user', content: '質問1' }, { role: 'assistant', content: '一つ目の答え。' }]],
      // maxHistoryTurns (2): the first question and answer are left out.
      [200, [{ role: 'user', content: '質問2' }, { role: 'assistant', content: '二つ目の答え。' }]],
      // maxHistoryChars (200): the 200-character answer fits alone, its question does not, and the history never starts with an answer.
      [200, []],
    ]);
  });

  test('a question over maxQuestionLength from config.json is refused on the page, with no request', async () => {
    grounded();
    await signIn();
    await ask('質'.repeat(RIG_LIMITS.maxQuestionLength + 1));
    await page.getByRole('alert').filter({ hasText: /./ }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(`質問が長すぎます（文字数/上限）: 61/${RIG_LIMITS.maxQuestionLength}`);
    expect(rig.server.apiCalls).toEqual([]);
    // At the limit, in characters (code points) as the API counts them, the question goes.
    await ask('𠮷'.repeat(RIG_LIMITS.maxQuestionLength));
    await page.locator('#log li.assistant').waitFor();
    expect(rig.server.apiCalls.map((c) => c.status)).toEqual([200]);
  });

  test('over a knowledge base (KNOWLEDGE_BASE_ID): asks and shows the answer with its sources', async () => {
    const kb = new ChatPageServer({ pageDir: rig.pageDir, cognito: rig.cognito, handler: rig.knowledgeBaseHandler, lambdaContext: rig.lambdaContext, limits: RIG_LIMITS });
    await kb.start();
    rig.cognito.allowedRedirects = [`${rig.server.url}/`, `${kb.url}/`];
    try {
      rig.services.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult([
        { uri: 's3://docs/expense-rules.pdf', content: '出張は出張デスクで予約してください。', metadata: { title: '経費精算規程' } },
        { uri: 'https://intranet.example.com/travel-faq', content: 'The Travel Desk answers within one business day.', locationType: 'WEB' },
      ]);
      rig.services.routes.InvokeEndpoint = () => lmiAnswer(ANSWER);
      await page.goto(kb.url);
      await page.getByRole('button', { name: 'サインイン' }).click();
      await page.getByRole('textbox', { name: '質問' }).waitFor();
      await ask('出張はどうやって予約しますか？');
      const answer = page.locator('#log li.assistant');
      await answer.waitFor();
      expect(await answer.locator('.content').textContent()).toBe(ANSWER);
      const sources = answer.locator('ol.sources > li');
      expect(await sources.count()).toBe(2);
      expect(await sources.nth(0).textContent()).toContain('経費精算規程 (s3://docs/expense-rules.pdf)');
      expect(await sources.nth(0).locator('blockquote').textContent()).toBe('出張は出張デスクで予約してください。');
      const link = sources.nth(1).getByRole('link', { name: 'travel-faq' });
      expect(await link.getAttribute('href')).toBe('https://intranet.example.com/travel-faq');
      const retrieve = rig.services.calls('KnowledgeBaseRetrieve');
      expect(retrieve.map((r) => r.knowledgeBaseId)).toEqual([RIG_KNOWLEDGE_BASE_ID]);
      expect(knowledgeBaseRequestOf(retrieve[0]).retrievalQuery.text).toBe('出張はどうやって予約しますか？');
      expect(rig.services.calls('Retrieve')).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      rig.cognito.allowedRedirects = [`${rig.server.url}/`];
      await kb.stop();
    }
  });

  test('"I don\'t know." is shown as no answer, without sources', async () => {
    grounded('I don\'t know.');
    await signIn();
    await ask('社長の好きな食べ物は？');
    const answer = page.locator('#log li.assistant.no-answer');
    await answer.waitFor();
    expect(await answer.locator('.content').textContent()).toBe('ドキュメントに答えが見つかりませんでした（I don\'t know.）。');
    expect(await answer.locator('ol.sources').count()).toBe(0);
  });

  test.each([
    // API Gateway's request validator (RagApi's BadRequestBody gateway response).
    ['400', (r: ChatPageRig) => r.server.gatewayReplies.push({ status: 400, body: { message: 'Invalid request body' } }), '質問', /^質問を送信できませんでした: Invalid request body$/],
    ['429', (r: ChatPageRig) => r.server.gatewayReplies.push({ status: 429, body: { message: 'Too Many Requests' } }), '質問', /^リクエストが多すぎます。/],
    ['502', (r: ChatPageRig) => { r.services.routes.InvokeEndpoint = () => runtimeError('ModelError', 'boom', 424); }, '質問', /^回答の生成に失敗しました。/],
    ['503', (r: ChatPageRig) => { r.services.routes.Retrieve = inSequence(kendraError('ThrottlingException', 'slow down')); }, '質問', /^サービスが混み合っています。/],
  ])('%s is shown as its message in an alert', async (status, script, question, message) => {
    grounded();
    script(rig);
    await signIn();
    await ask(question);
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /./ }).waitFor();
    expect(await alert.textContent()).toMatch(message);
    expect(rig.server.apiCalls.at(-1)?.status).toBe(Number(status));
    expect(await page.locator('#log li').count()).toBe(0);
  });

  test('an expired token leads to sign-in, and signing in again works', async () => {
    grounded();
    await signIn();
    rig.cognito.expireIssuedTokens();
    await ask('質問');
    await page.getByRole('alert').filter({ hasText: 'セッションの有効期限が切れました。もう一度サインインしてください。' }).waitFor();
    expect(rig.server.apiCalls.at(-1)?.status).toBe(401);
    const signInButton = page.getByRole('button', { name: 'サインイン' });
    expect(await signInButton.evaluate((e) => e === document.activeElement)).toBe(true);
    await signInButton.press('Enter');
    await page.getByRole('textbox', { name: '質問' }).waitFor();
    await ask('質問');
    await page.locator('#log li.assistant').waitFor();
    expect(rig.server.apiCalls.at(-1)?.status).toBe(200);
  });

  test('a token about to expire leads to sign-in before any request is sent', async () => {
    // The page treats a token with under 30 s left as expired.
    rig.cognito.tokenLifetimeSeconds = 20;
    await signIn();
    await ask('質問');
    await page.getByRole('alert').filter({ hasText: 'もう一度サインインしてください' }).waitFor();
    expect(rig.server.apiCalls).toEqual([]);
  });

  test('a callback whose state the page did not send is refused, and no code is exchanged', async () => {
    await page.goto(`${rig.server.url}/?code=stolen&state=forged`);
    await page.getByRole('alert').filter({ hasText: 'サインインに失敗しました。もう一度お試しください。: state mismatch' }).waitFor();
    expect(rig.cognito.calls('/oauth2/token')).toEqual([]);
    expect(page.url()).toBe(`${rig.server.url}/`);
  });

  test('sign-out ends the Cognito session and comes back signed out', async () => {
    await signIn();
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await page.getByRole('button', { name: 'サインイン' }).waitFor();
    const logout = rig.cognito.calls('/logout');
    expect(logout).toHaveLength(1);
    expect(logout[0].query.get('client_id')).toBe(rig.cognito.clientId);
    expect(logout[0].query.get('logout_uri')).toBe(`${rig.server.url}/`);
    expect(await page.getByRole('textbox', { name: '質問' }).count()).toBe(0);
  });

  test('Japanese by default, English at the switch (labels, answers, lang attribute)', async () => {
    grounded('I don\'t know.');
    await signIn();
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await ask('質問');
    await page.locator('#log li.assistant').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Question' }).count()).toBe(1);
    expect(await page.locator('#log li.assistant .content').textContent()).toBe('The documents do not answer this (I don\'t know.).');
    expect(await page.locator('#log li.user .who').textContent()).toBe('You');
    await page.getByRole('button', { name: '日本語' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
  });

  test('a page whose default language is English opens in English', async () => {
    const english = new ChatPageServer({ pageDir: rig.pageDir, cognito: rig.cognito, handler: rig.handler, lambdaContext: rig.lambdaContext, limits: RIG_LIMITS, defaultLanguage: 'en', title: 'Docs Q&A' });
    await english.start();
    try {
      await page.goto(english.url);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Docs Q&A');
      expect(await page.title()).toBe('Docs Q&A');
    } finally {
      await english.stop();
    }
  });
});
