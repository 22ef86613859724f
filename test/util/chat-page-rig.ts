import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { createHandler, type LambdaContextLike, type RagHandler } from '../../constructs/rag/handler';
import { CONFIG_DEFAULTS } from '../../constructs/rag/handler/config';
import { buildChatPage } from '../../constructs/web/page-bundle';
import { ChatPageServer } from './chat-page-server';
import { FakeCognito } from './fake-cognito';
import { FakeRagServices } from './fake-rag-services';
import { chromiumPath } from './system-tools';

/**
 * Everything the chat page's browser tests (and `npm run screenshot`) run against, on loopback:
 * the page freshly built, the fake Cognito, the real RAG handler over the fake Kendra (and one over the
 * fake Bedrock knowledge base) and SageMaker Runtime, the page server in front of them, and one
 * headless Chromium.
 */
export interface ChatPageRig {
  readonly pageDir: string;
  readonly cognito: FakeCognito;
  readonly services: FakeRagServices;
  readonly handler: RagHandler;
  /** The same handler with KNOWLEDGE_BASE_ID ({@link RIG_KNOWLEDGE_BASE_ID}) instead of a Kendra index: serve it with a second ChatPageServer. */
  readonly knowledgeBaseHandler: RagHandler;
  readonly server: ChatPageServer;
  /** The Lambda context the server gives each request (virtual backoff time included). */
  readonly lambdaContext: () => LambdaContextLike;
  readonly browser: Browser;
  /** Forgets recorded requests and scripted answers of every fake. */
  reset(): void;
  stop(): Promise<void>;
}

/**
 * The rig's API limits, small so each is a few turns away; the handler and the page's config.json
 * both get them, as RagApi's environment and RagChatWebsite's config.json do.
 */
export const RIG_LIMITS = { maxQuestionLength: 60, maxHistoryTurns: 2, maxHistoryChars: 200 } as const;
export const RIG_KNOWLEDGE_BASE_ID = 'KBABCDE123';

export async function startChatPageRig(): Promise<ChatPageRig> {
  const executablePath = await chromiumPath();
  if (!executablePath) throw new Error('no headless Chromium: npm run test-tools (chromium-headless-shell)');
  // Chromium starts while the page is built and the fakes start. One renderer process serves every
  // tab of a context (the rig's origins are all one site, 127.0.0.1), so a fresh tab opens in tens
  // of milliseconds instead of starting a renderer of its own.
  const launching = chromium.launch({ executablePath, headless: true, args: ['--renderer-process-limit=1'] });
  let loopback: Omit<ChatPageRig, 'browser' | 'reset' | 'stop'>;
  try {
    loopback = await startLoopback();
  } catch (e) {
    await launching.then((browser) => browser.close(), () => undefined);
    throw e;
  }
  const { pageDir, cognito, services, server } = loopback;
  const stopLoopback = async () => {
    await Promise.all([server.stop(), cognito.stop(), services.stop()]);
    fs.rmSync(pageDir, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    browser = await launching;
  } catch (e) {
    await stopLoopback();
    throw e;
  }
  return {
    ...loopback,
    browser,
    reset() {
      cognito.reset();
      services.reset();
      server.reset();
    },
    async stop() {
      await browser.close();
      await stopLoopback();
    },
  };
}

/** The built page, the fakes, the two handlers and the page server. */
async function startLoopback(): Promise<Omit<ChatPageRig, 'browser' | 'reset' | 'stop'>> {
  const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-page-test-'));
  buildChatPage(pageDir);
  const cognito = new FakeCognito();
  const services = new FakeRagServices();
  await Promise.all([cognito.start(), services.start()]);
  // The handler's backoff costs Lambda time without costing test time: sleeps move a virtual clock.
  let slept = 0;
  const common = {
    endpointName: 'falcon-40b', region: 'us-east-1', ...CONFIG_DEFAULTS,
    maxQuestionChars: RIG_LIMITS.maxQuestionLength, maxHistoryTurns: RIG_LIMITS.maxHistoryTurns, maxHistoryChars: RIG_LIMITS.maxHistoryChars,
  };
  const options = {
    runtimeClientConfig: services.clientConfig(),
    sleep: async (ms: number) => {
      slept += ms;
    },
    log: () => undefined,
  };
  const handler = createHandler({ config: { kendraIndexId: '0123abcd-4567-89ef-0123-456789abcdef', ...common }, kendraClientConfig: services.clientConfig(), ...options });
  const knowledgeBaseHandler = createHandler({
    config: { knowledgeBaseId: RIG_KNOWLEDGE_BASE_ID, ...common }, knowledgeBaseClientConfig: services.knowledgeBaseClientConfig(), ...options,
  });
  const lambdaContext = () => {
    const started = Date.now();
    const sleptBefore = slept;
    return { getRemainingTimeInMillis: () => 25_000 - (Date.now() - started) - (slept - sleptBefore) };
  };
  const server = new ChatPageServer({ pageDir, cognito, handler, lambdaContext, limits: RIG_LIMITS });
  await server.start();
  cognito.allowedRedirects = [`${server.url}/`];
  return { pageDir, cognito, services, handler, knowledgeBaseHandler, server, lambdaContext };
}
