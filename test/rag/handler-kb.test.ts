import { configFromEnv, createHandler, type ApiResult, type RagConfig } from '../../constructs/rag/handler';
import { CONFIG_DEFAULTS } from '../../constructs/rag/handler/config';
import {
  FakeRagServices, inSequence, knowledgeBaseError, knowledgeBaseRequestOf, knowledgeBaseResult, lmiAnswer, lmiPayloadOf, type FakeChunk,
} from '../util/fake-rag-services';
import { lambdaTime } from '../util/lambda-time';

/** The RAG handler over a Bedrock knowledge base (KNOWLEDGE_BASE_ID), through the real SDK client against the loopback fake. */

const KB_ID = 'KB12345678';
const CONFIG: RagConfig = { knowledgeBaseId: KB_ID, endpointName: 'falcon-40b-endpoint', region: 'us-east-1', ...CONFIG_DEFAULTS };

const CHUNKS: FakeChunk[] = [
  { uri: 's3://docs/policies/expense%20policy.pdf', content: 'Travel must be booked   through the\nTravel Desk.' },
  { uri: 's3://docs/travel-faq.md', content: 'The Travel Desk answers within one business day.', metadata: { title: 'Travel FAQ', department: 'finance' } },
];
/** The passages the API returns for CHUNKS: the same shape as Kendra's (title, uri, excerpt). */
const SOURCES = [
  { title: 'expense policy.pdf', uri: 's3://docs/policies/expense%20policy.pdf', excerpt: 'Travel must be booked through the Travel Desk.' },
  { title: 'Travel FAQ', uri: 's3://docs/travel-faq.md', excerpt: 'The Travel Desk answers within one business day.' },
];

const fake = new FakeRagServices();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** GIVEN a knowledge-base handler pointed at the fake; each call gets a fresh Lambda context. */
function setup(given: { config?: Partial<RagConfig>; remainingMs?: number } = {}) {
  const logs: Array<Record<string, unknown>> = [];
  let time = lambdaTime(given.remainingMs ?? 30000, 'req-kb');
  const handler = createHandler({
    config: { ...CONFIG, ...given.config },
    knowledgeBaseClientConfig: fake.knowledgeBaseClientConfig(),
    runtimeClientConfig: fake.clientConfig(),
    sleep: (ms) => time.sleep(ms),
    log: (record) => logs.push(record as Record<string, unknown>),
  });
  const call = async (body: unknown, extra: object = {}): Promise<ApiResult & { json: Record<string, unknown> }> => {
    time = lambdaTime(given.remainingMs ?? 30000, 'req-kb');
    const result = await handler({ body: typeof body === 'string' ? body : JSON.stringify(body), ...extra }, time.context);
    return { ...result, json: JSON.parse(result.body) as Record<string, unknown> };
  };
  return { call, logs, sleeps: () => time.sleeps };
}

async function waitFor(condition: () => boolean, timeoutMs = 1000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const QUESTION = { question: 'How do I book travel?' };

describe('RAG handler over a knowledge base: answers', () => {
  test('retrieves from the knowledge base and answers with passages shaped as Kendra\'s', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult(CHUNKS);
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1], within a day [2].');
    const { call, logs } = setup({ config: { topK: 7 } });

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ answer: 'Through the Travel Desk [1], within a day [2].', sources: SOURCES });
    // one Retrieve on the knowledge base, signed for Bedrock, TOP_K as numberOfResults; Kendra untouched
    const [retrieve] = fake.calls('KnowledgeBaseRetrieve');
    expect(retrieve.knowledgeBaseId).toBe(KB_ID);
    expect(knowledgeBaseRequestOf(retrieve)).toEqual({
      retrievalQuery: { text: 'How do I book travel?' },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 7 } },
    });
    expect(retrieve.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(fake.calls('Retrieve')).toHaveLength(0);
    expect(fake.calls('Query')).toHaveLength(0);
    // the prompt numbers the chunks with their titles, as it does Kendra's passages
    const { inputs } = lmiPayloadOf(fake.calls('InvokeEndpoint')[0]);
    expect(inputs).toContain('[1] expense policy.pdf\nTravel must be booked through the Travel Desk.');
    expect(inputs).toContain('[2] Travel FAQ\nThe Travel Desk answers within one business day.');
    expect(logs).toEqual([expect.objectContaining({ status: 200, retrievedCount: 2, attempts: { retriever: 1, llm: 1 }, userContext: false })]);
  });

  test('a web page\'s URL is its source and its last path segment its title', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult([{ uri: 'https://intranet.example.com/travel/booking/', content: 'Use the portal.', locationType: 'WEB' }]);
    fake.routes.InvokeEndpoint = () => lmiAnswer('Use the portal [1].');
    const { call } = setup();

    const res = await call(QUESTION);

    expect(res.json.sources).toEqual([{ title: 'booking', uri: 'https://intranet.example.com/travel/booking/', excerpt: 'Use the portal.' }]);
  });

  test('a blank title attribute or a file name that is not valid percent-encoding still gives a title', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult([
      { uri: 's3://docs/100%.txt', content: 'All of it.', metadata: { title: ' ' } },
      { uri: 's3://docs/%E6%97%85%E8%B2%BB.pdf', content: '出張は旅行デスクで予約します。' },
    ]);
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the desk [2].');
    const { call } = setup();

    const res = await call(QUESTION);

    expect((res.json.sources as Array<{ title: string }>).map((s) => s.title)).toEqual(['100%.txt', '旅費.pdf']);
  });

  test('says it found nothing, without calling the LLM, when the knowledge base returns no chunks', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult([]);
    const { call, logs } = setup();

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ answer: 'I could not find anything about that in the documents.', sources: [] });
    expect(fake.calls('InvokeEndpoint')).toHaveLength(0);
    expect(logs[0]).toMatchObject({ status: 200, retrievedCount: 0, attempts: { retriever: 1, llm: 0 } });
  });

  test('a Cognito caller\'s identity is not sent (knowledge bases take no user context)', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult(CHUNKS);
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1].');
    const { call, logs } = setup();

    await call(QUESTION, { requestContext: { authorizer: { claims: { 'sub': 'u-1', 'cognito:username': 'alice', 'cognito:groups': 'finance' } } } });

    expect(fake.calls('KnowledgeBaseRetrieve')[0].body).not.toMatch(/alice|finance|u-1/);
    expect(logs[0]).toMatchObject({ status: 200, userContext: false });
  });
});

describe('RAG handler over a knowledge base: bad requests, throttling, 5xx and timeouts', () => {
  test('a question over the limit is a 400 and never reaches the knowledge base', async () => {
    const { call, logs } = setup();

    const res = await call({ question: `SECRET ${'x'.repeat(1000)}` });

    expect(res.statusCode).toBe(400);
    expect(res.json).toEqual({ message: '"question" is too long: at most 1000 characters are allowed' });
    expect(fake.requests).toHaveLength(0);
    expect(JSON.stringify(logs)).not.toContain('SECRET');
  });

  test('retries a throttled knowledge base (429) with backoff, then answers', async () => {
    fake.routes.KnowledgeBaseRetrieve = inSequence(
      knowledgeBaseError('ThrottlingException', 'Rate exceeded', 429),
      knowledgeBaseError('ThrottlingException', 'Rate exceeded', 429),
      knowledgeBaseResult(CHUNKS),
    );
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1].');
    const { call, logs, sleeps } = setup();

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(200);
    expect(fake.calls('KnowledgeBaseRetrieve')).toHaveLength(3);
    expect(logs[0]).toMatchObject({ status: 200, attempts: { retriever: 3, llm: 1 } });
    expect(sleeps()).toHaveLength(2);
    expect(sleeps()[1]).toBeLessThan(200);
  });

  test('gives up with a 503 when the knowledge base stays throttled past the budget', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseError('ThrottlingException', 'Rate exceeded', 429);
    const { call, logs, sleeps } = setup({ remainingMs: 4000 });

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(503);
    expect(res.json).toEqual({ message: 'The retriever is busy; try again shortly.' });
    expect(fake.calls('InvokeEndpoint')).toHaveLength(0);
    expect(fake.calls('KnowledgeBaseRetrieve').length).toBeGreaterThan(2);
    // retrieval keeps half of the 3 s budget (4 s less 1 s of margin) for the LLM
    expect(sleeps().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1500);
    expect(logs[0]).toMatchObject({ status: 503, errorKind: 'retriever_throttled', errorName: 'ThrottlingException', httpStatus: 429 });
  });

  test.each([
    ['InternalServerException', 500],
    ['BadGatewayException', 502],
  ])('a %s (%i) is retried once, then answered', async (type, status) => {
    fake.routes.KnowledgeBaseRetrieve = inSequence(knowledgeBaseError(type, 'try again', status), knowledgeBaseResult(CHUNKS));
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1].');
    const { call, logs } = setup();

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(200);
    expect(logs[0]).toMatchObject({ attempts: { retriever: 2, llm: 1 } });
  });

  test('two 5xx in a row are a 502 after exactly two attempts', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseError('InternalServerException', 'internal', 500);
    const { call, logs } = setup();

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(502);
    expect(res.json).toEqual({ message: 'The retriever failed to answer.' });
    expect(fake.calls('KnowledgeBaseRetrieve')).toHaveLength(2);
    expect(logs[0]).toMatchObject({ status: 502, errorKind: 'retriever_failed', errorName: 'InternalServerException', httpStatus: 500 });
  });

  test.each([
    ['ValidationException', 400, 'Input text How do I book travel? is invalid'],
    ['AccessDeniedException', 403, 'not authorized to perform bedrock:Retrieve'],
    ['ResourceNotFoundException', 404, 'knowledge base KB12345678 not found'],
    ['DependencyFailedException', 424, 'the vector store refused the query'],
  ])('a %s (%i) is a 502 without a retry, and its message stays out of the logs', async (type, status, message) => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseError(type, message, status);
    const { call, logs } = setup();

    const res = await call(QUESTION);

    expect(res.statusCode).toBe(502);
    expect(res.json).toEqual({ message: 'The retriever failed to answer.' });
    expect(fake.calls('KnowledgeBaseRetrieve')).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 502, errorKind: 'retriever_failed', errorName: type, httpStatus: status });
    expect(JSON.stringify(logs[0])).not.toContain(message);
  });

  test('gives up with a 503 when the knowledge base does not answer in its share of the time, and aborts the call', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => ({ ...knowledgeBaseResult(CHUNKS), delayMs: 10000 });
    const { call, logs } = setup({ remainingMs: 2000 });

    const started = Date.now();
    const res = await call(QUESTION);

    expect(res.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(900);
    expect(logs[0]).toMatchObject({ status: 503, errorKind: 'retriever_timeout' });
    // AmazonKnowledgeBaseRetriever passes no signal on; the handler's request handler aborts the call anyway
    await waitFor(() => fake.abandoned === fake.calls('KnowledgeBaseRetrieve').length);
  });

  test('logs the question and the error message only with DEBUG_LOGGING', async () => {
    fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseError('ValidationException', 'bad query', 400);
    const quiet = setup();
    const debug = setup({ config: { debugLogging: true } });

    await quiet.call(QUESTION);
    await debug.call(QUESTION);

    expect(JSON.stringify(quiet.logs)).not.toMatch(/book travel|bad query/);
    expect(debug.logs[0]).toMatchObject({ question: 'How do I book travel?', errorMessage: 'bad query' });
  });
});

describe('RAG handler over a knowledge base: configuration', () => {
  const ENV = { ENDPOINT_NAME: 'falcon-40b-endpoint', AWS_REGION: 'eu-west-1' };

  test('KNOWLEDGE_BASE_ID chooses the knowledge-base retriever', () => {
    expect(configFromEnv({ ...ENV, KNOWLEDGE_BASE_ID: KB_ID })).toEqual({
      knowledgeBaseId: KB_ID, endpointName: 'falcon-40b-endpoint', region: 'eu-west-1', corsOrigins: [], ...CONFIG_DEFAULTS,
    });
    expect(configFromEnv({ ...ENV, KNOWLEDGE_BASE_ID: KB_ID, KENDRA_INDEX_ID: ' ' })).not.toHaveProperty('kendraIndexId');
  });

  test.each<[Record<string, string>, RegExp]>([
    [{}, /^KENDRA_INDEX_ID or KNOWLEDGE_BASE_ID must be set: neither is \(exactly one chooses the retriever/],
    [{ KNOWLEDGE_BASE_ID: KB_ID, KENDRA_INDEX_ID: '0123abcd-0123-4567-89ab-0123456789ab' }, /^KENDRA_INDEX_ID and KNOWLEDGE_BASE_ID are both set: set exactly one/],
    [{ KNOWLEDGE_BASE_ID: 'kb-123' }, /^KNOWLEDGE_BASE_ID is not a Bedrock knowledge base id \(10 letters and digits\): 'kb-123'$/],
    [{ KNOWLEDGE_BASE_ID: KB_ID, TOP_K: '101' }, /^TOP_K must be an integer from 1 to 100/],
    [{ KNOWLEDGE_BASE_ID: KB_ID, MAX_QUESTION_CHARS: '1001' }, /^MAX_QUESTION_CHARS must be an integer from 1 to 1000/],
  ])('configFromEnv refuses %j', (env, message) => {
    expect(() => configFromEnv({ ...ENV, ...env })).toThrow(message);
  });

  test.each<[string, Partial<RagConfig>, string]>([
    ['neither retriever', { knowledgeBaseId: undefined }, 'KENDRA_INDEX_ID or KNOWLEDGE_BASE_ID'],
    ['both retrievers', { kendraIndexId: '0123abcd-0123-4567-89ab-0123456789ab' }, 'KENDRA_INDEX_ID and KNOWLEDGE_BASE_ID'],
    ['a knowledge base id that is not one', { knowledgeBaseId: 'KB1234567890' }, 'KNOWLEDGE_BASE_ID'],
  ])('answers every request with a 500 naming the variables for %s, at cold start and after', async (_name, bad, variable) => {
    const { call, logs } = setup({ config: bad });

    const first = await call(QUESTION);
    const second = await call(QUESTION);

    for (const res of [first, second]) expect(res).toMatchObject({ statusCode: 500, json: { message: 'The service is misconfigured; see its logs.' } });
    expect(fake.requests).toHaveLength(0);
    expect(logs[0]).toMatchObject({ level: 'error', status: 500, errorKind: 'config', configVariable: variable });
  });
});
