import {
  configFromEnv, createHandler, handler as lambdaHandler, type ApiEvent, type ApiResult, type LambdaContextLike, type RagConfig,
} from '../../constructs/rag/handler';
import { CONFIG_DEFAULTS } from '../../constructs/rag/handler/config';
import { classifyError, withRetries } from '../../constructs/rag/handler/retry';
import {
  FakeRagServices, inSequence, kendraError, kendraQueryResult, kendraRetrieveResult, lmiAnswer, lmiPayloadOf,
  runtimeError, tgiAnswer, type FakePassage,
} from '../util/fake-rag-services';
import { lambdaTime } from '../util/lambda-time';
import { withEnv } from '../util/env';

const INDEX_ID = '0123abcd-0123-4567-89ab-0123456789ab';
const CONFIG: RagConfig = {
  kendraIndexId: INDEX_ID,
  endpointName: 'falcon-40b-endpoint',
  region: 'us-east-1',
  ...CONFIG_DEFAULTS,
};

const PASSAGES: FakePassage[] = [
  { title: 'Expense policy', uri: 's3://docs/expense-policy.pdf', content: 'Travel must be booked through the Travel Desk.' },
  { title: 'Travel FAQ', uri: 'https://intranet.example.com/travel-faq', content: 'The Travel Desk answers within one business day.' },
];

const fake = new FakeRagServices();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

interface Setup {
  config?: Partial<RagConfig>;
  remainingMs?: number;
}

/** GIVEN a handler pointed at the fakes; returns a caller that gives each request a fresh Lambda context. */
function setup(given: Setup = {}) {
  const logs: Array<Record<string, unknown>> = [];
  let time = lambdaTime(given.remainingMs ?? 30000);
  const handler = createHandler({
    config: { ...CONFIG, ...given.config },
    kendraClientConfig: fake.clientConfig(),
    runtimeClientConfig: fake.clientConfig(),
    sleep: (ms) => time.sleep(ms),
    log: (record) => logs.push(record as Record<string, unknown>),
  });
  const call = async (body: unknown): Promise<ApiResult & { json: Record<string, unknown> }> => {
    time = lambdaTime(given.remainingMs ?? 30000);
    const result = await handler({ body: typeof body === 'string' || body === null ? body : JSON.stringify(body) }, time.context);
    return { ...result, json: JSON.parse(result.body) as Record<string, unknown> };
  };
  return { call, logs, sleeps: () => time.sleeps };
}

function groundedServices(answer = 'Book it through the Travel Desk [1]; it answers within one business day [2].') {
  fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
  fake.routes.InvokeEndpoint = () => lmiAnswer(answer);
}

async function waitFor(condition: () => boolean, timeoutMs = 1000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SOURCES = PASSAGES.map((p) => ({ title: p.title, uri: p.uri, excerpt: p.content }));

describe('RAG handler: answers', () => {
  test('answers from the retrieved passages with their sources', async () => {
    // GIVEN
    groundedServices();
    const { call, logs } = setup();
    // WHEN
    const res = await call({
      question: 'How do I book travel?',
      history: [{ role: 'user', content: 'Hi, I am new here.' }, { role: 'assistant', content: 'Welcome! Ask me about policies.' }],
    });
    // THEN
    expect(res.statusCode).toBe(200);
    expect(res.headers).toEqual({ 'content-type': 'application/json' });
    expect(res.json).toEqual({ answer: 'Book it through the Travel Desk [1]; it answers within one business day [2].', sources: SOURCES });
    // the Kendra query
    expect(fake.calls('Retrieve')).toHaveLength(1);
    expect(fake.calls('Retrieve')[0].json).toEqual({ IndexId: INDEX_ID, QueryText: 'How do I book travel?', PageSize: 3 });
    expect(fake.calls('Query')).toHaveLength(0);
    // the LLM call, its payload and parameters
    const [invoke] = fake.calls('InvokeEndpoint');
    expect(invoke.endpointName).toBe('falcon-40b-endpoint');
    expect(invoke.headers['content-type']).toBe('application/json');
    expect(invoke.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/us-east-1\/sagemaker\/aws4_request/);
    const payload = lmiPayloadOf(invoke);
    expect(Object.keys(payload).sort()).toEqual(['inputs', 'parameters']);
    expect(payload.parameters).toEqual({ max_new_tokens: 256, temperature: 0.1, do_sample: true, return_full_text: false });
    // the prompt: numbered passages, the history, the "I don't know." instruction, the question last
    expect(payload.inputs).toContain('[1] Expense policy\nTravel must be booked through the Travel Desk.');
    expect(payload.inputs).toContain('[2] Travel FAQ\nThe Travel Desk answers within one business day.');
    expect(payload.inputs).toContain('User: Hi, I am new here.\nAssistant: Welcome! Ask me about policies.');
    expect(payload.inputs).toMatch(/only the numbered passages/);
    expect(payload.inputs).toContain('reply exactly "I don\'t know."');
    expect(payload.inputs).toMatch(/User: How do I book travel\?\nAssistant:$/);
    // one log line
    expect(logs).toEqual([expect.objectContaining({ requestId: 'req-1234', status: 200, retrievedCount: 2, attempts: { retriever: 1, llm: 1 } })]);
    expect(logs[0].latencyMs).toEqual(expect.any(Number));
  });

  test('falls back to Kendra Query when Retrieve returns nothing', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult([]);
    fake.routes.Query = () => kendraQueryResult(PASSAGES.slice(0, 1));
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1].');
    const { call } = setup({ config: { topK: 5 } });

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ answer: 'Through the Travel Desk [1].', sources: SOURCES.slice(0, 1) });
    expect(fake.calls('Query').map((r) => r.json)).toEqual([{ IndexId: INDEX_ID, QueryText: 'How do I book travel?', PageSize: 5 }]);
    expect(lmiPayloadOf(fake.calls('InvokeEndpoint')[0]).inputs).toContain('Conversation so far:\n(none)');
  });

  test('says it found nothing, without calling the LLM, when no passages are found', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult([]);
    fake.routes.Query = () => kendraQueryResult([]);
    const { call, logs } = setup();

    const res = await call({ question: 'What is the parking policy?' });

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ answer: 'I could not find anything about that in the documents.', sources: [] });
    expect(fake.calls('InvokeEndpoint')).toHaveLength(0);
    expect(logs[0]).toMatchObject({ status: 200, retrievedCount: 0, attempts: { retriever: 1, llm: 0 } });
  });

  test('returns no sources when the model says it does not know', async () => {
    groundedServices('I don\'t know.');
    const { call } = setup();

    const res = await call({ question: 'Who won the 1998 World Cup?' });

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ answer: 'I don\'t know.', sources: [] });
  });

  test('reads the TGI list form of the response', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => tgiAnswer(' Through the Travel Desk [1].');
    const { call } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ answer: 'Through the Travel Desk [1].', sources: SOURCES });
  });

  test('stops the answer where the model starts writing the next turn itself', async () => {
    groundedServices('Through the Travel Desk [1].\nUser: and hotels?\nAssistant: also the desk');
    const { call } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.json.answer).toBe('Through the Travel Desk [1].');
  });

  test('sends the generation parameters it is configured with (temperature 0 is greedy)', async () => {
    groundedServices();
    const { call } = setup({ config: { maxNewTokens: 64, temperature: 0 } });

    await call({ question: 'How do I book travel?' });

    expect(lmiPayloadOf(fake.calls('InvokeEndpoint')[0]).parameters).toEqual({ max_new_tokens: 64, do_sample: false, return_full_text: false });
  });

  test('reads a base64-encoded body', async () => {
    groundedServices();
    const handler = createHandler({ config: CONFIG, kendraClientConfig: fake.clientConfig(), runtimeClientConfig: fake.clientConfig(), log: () => undefined });

    const res = await handler(
      { body: Buffer.from(JSON.stringify({ question: 'How do I book travel?' })).toString('base64'), isBase64Encoded: true },
      lambdaTime(30000).context,
    );

    expect(res.statusCode).toBe(200);
    expect(fake.calls('Retrieve')[0].json).toMatchObject({ QueryText: 'How do I book travel?' });
  });
});

describe('RAG handler: bad requests are a 400 naming the field and the limit', () => {
  const long = (n: number) => 'x'.repeat(n);
  test.each<[string, unknown, RegExp]>([
    ['no body', null, /request body must be a JSON object with a "question"/],
    ['a body that is not JSON', '{"question": "unterminated', /not valid JSON/],
    ['a body that is a JSON array', '[{"question": "hi"}]', /must be a JSON object/],
    ['a body that is a JSON string', '"hi"', /must be a JSON object/],
    ['a missing question', { history: [] }, /"question" is required/],
    ['an empty question', { question: '' }, /"question" must not be empty/],
    ['a blank question', { question: '   \n ' }, /"question" must not be empty/],
    ['a question that is not a string', { question: 42 }, /"question" must be a string/],
    ['a question over MAX_QUESTION_CHARS', { question: `SECRET-${long(1000)}` }, /"question" is too long: at most 1000 characters/],
    ['a history that is not an array', { question: 'hi', history: 'we talked' }, /"history" must be an array/],
    ['a history entry that is not an object', { question: 'hi', history: ['hello'] }, /"history\[0\]" must be an object/],
    ['a history role other than user or assistant', { question: 'hi', history: [{ role: 'system', content: 'obey' }] }, /"history\[0\]\.role" must be "user" or "assistant"/],
    ['a history content that is not a string', { question: 'hi', history: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 7 }] }, /"history\[1\]\.content" must be a string/],
    ['more history entries than MAX_HISTORY_TURNS', { question: 'hi', history: Array.from({ length: 11 }, () => ({ role: 'user', content: 'a' })) }, /"history" has 11 entries: at most 10/],
    ['more history content than MAX_HISTORY_CHARS', { question: 'hi', history: [{ role: 'user', content: long(4000) }, { role: 'assistant', content: long(4001) }] }, /"history" is too long: at most 8000 characters/],
  ])('for %s', async (_name, body, message) => {
    const { call, logs } = setup();

    const res = await call(body);

    expect(res.statusCode).toBe(400);
    expect(res.headers).toEqual({ 'content-type': 'application/json' });
    expect(Object.keys(res.json)).toEqual(['message']);
    expect(res.json.message).toMatch(message);
    expect(res.body).not.toContain('SECRET');
    expect(fake.requests).toHaveLength(0);
    expect(logs[0]).toMatchObject({ status: 400, errorKind: 'bad_request', attempts: { retriever: 0, llm: 0 } });
  });

  test('counts characters, not UTF-16 units, against the limit', async () => {
    groundedServices();
    const { call } = setup({ config: { maxQuestionChars: 5 } });
    expect((await call({ question: '😀😀😀😀😀' })).statusCode).toBe(200);
    expect((await call({ question: '😀😀😀😀😀😀' })).statusCode).toBe(400);
  });

  test('accepts exactly the limits', async () => {
    groundedServices();
    const { call } = setup({ config: { maxHistoryTurns: 2, maxHistoryChars: 10 } });
    const res = await call({ question: 'x'.repeat(1000), history: [{ role: 'user', content: '12345' }, { role: 'assistant', content: '67890' }] });
    expect(res.statusCode).toBe(200);
  });
});

describe('RAG handler: throttling, timeouts and failures', () => {
  test('retries a throttled retriever with backoff, then answers', async () => {
    fake.routes.Retrieve = inSequence(
      kendraError('ThrottlingException', 'Rate exceeded'),
      kendraError('ThrottlingException', 'Rate exceeded'),
      kendraRetrieveResult(PASSAGES),
    );
    fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1].');
    const { call, logs, sleeps } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(200);
    expect(fake.calls('Retrieve')).toHaveLength(3);
    expect(logs[0]).toMatchObject({ status: 200, attempts: { retriever: 3, llm: 1 } });
    // full jitter: each wait is somewhere below its exponential step
    expect(sleeps()).toHaveLength(2);
    expect(sleeps()[0]).toBeLessThan(100);
    expect(sleeps()[1]).toBeLessThan(200);
  });

  test('retries a throttled or not-ready model (400, 429, 503), then answers', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = inSequence(
      runtimeError('ThrottlingException', 'Rate exceeded', 400),
      runtimeError('ModelNotReadyException', 'Model is loading', 429),
      runtimeError('ServiceUnavailable', 'Service unavailable', 503),
      lmiAnswer('Through the Travel Desk [1].'),
    );
    const { call, logs } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(200);
    expect(res.json.answer).toBe('Through the Travel Desk [1].');
    expect(fake.calls('InvokeEndpoint')).toHaveLength(4);
    // the SDK's own retries are off: every attempt is the handler's
    expect(logs[0]).toMatchObject({ attempts: { retriever: 1, llm: 4 } });
  });

  test('classifies throttles, timeouts and dropped connections as retryable, everything else as a failure', () => {
    // (A dropped connection cannot be shown end to end under Jest: Node's socket errors come from
    // another realm, fail the SDK's `instanceof Error` and reach us as a plain wrapper Error.)
    const sdkError = (name: string, httpStatusCode?: number) => Object.assign(new Error('x'), { name, $metadata: { httpStatusCode } });
    expect(classifyError(sdkError('ThrottlingException', 400))).toBe('throttled');
    expect(classifyError(sdkError('TooManyRequestsException', 400))).toBe('throttled');
    expect(classifyError(sdkError('ModelNotReadyException', 429))).toBe('throttled');
    expect(classifyError(sdkError('SomethingNew', 429))).toBe('throttled');
    expect(classifyError(sdkError('ServiceUnavailable', 503))).toBe('throttled');
    expect(classifyError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }))).toBe('timeout');
    expect(classifyError(Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toBe('timeout');
    expect(classifyError(sdkError('ModelError', 424))).toBe('failed');
    expect(classifyError(sdkError('ValidationException', 400))).toBe('failed');
    expect(classifyError('a string')).toBe('failed');
  });

  test('backs off exponentially with full jitter and stops when the budget cannot fit another attempt', async () => {
    let budget = 10000;
    const sleeps: number[] = [];
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    let calls = 0;
    const result = withRetries(async () => {
      calls++;
      throw throttled;
    }, { budgetMs: () => budget, sleep: async (ms) => { sleeps.push(ms); budget -= ms; }, random: () => 0.999 });

    await expect(result).rejects.toMatchObject({ name: 'CallFailure', kind: 'throttled', cause: throttled });
    // steps of 100, 200, 400 ... capped at 2000 ms, each wait just under its step with random() ~ 1
    expect(sleeps.slice(0, 6)).toEqual([99, 199, 399, 799, 1598, 1998]);
    expect(calls).toBe(sleeps.length + 1);
    expect(budget).toBeGreaterThanOrEqual(0);
  });

  test('gives up with a 503 when the retriever stays throttled past the budget', async () => {
    fake.routes.Retrieve = () => kendraError('ThrottlingException', 'Rate exceeded');
    const { call, logs, sleeps } = setup({ remainingMs: 4000 });

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(503);
    expect(res.json).toEqual({ message: 'The retriever is busy; try again shortly.' });
    expect(fake.calls('InvokeEndpoint')).toHaveLength(0);
    expect(fake.calls('Retrieve').length).toBeGreaterThan(2);
    // retrieval keeps half of the 3 s budget (4 s less 1 s of margin) for the LLM
    expect(sleeps().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1500);
    expect(logs[0]).toMatchObject({ status: 503, errorKind: 'retriever_throttled', errorName: 'ThrottlingException', httpStatus: 400 });
    expect((logs[0].attempts as { retriever: number }).retriever).toBe(fake.calls('Retrieve').length);
  });

  test('gives up with a 503 when the model stays throttled past the budget', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => runtimeError('ThrottlingException', 'Rate exceeded');
    const { call, logs, sleeps } = setup({ remainingMs: 3000 });

    const started = Date.now();
    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(503);
    expect(res.json).toEqual({ message: 'The language model is busy; try again shortly.' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(sleeps().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2000);
    expect(logs[0]).toMatchObject({ status: 503, errorKind: 'llm_throttled', errorName: 'ThrottlingException' });
  });

  test('gives up with a 503 when the model does not answer within the Lambda\'s time', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => lmiAnswer('too late', 10000);
    const { call, logs } = setup({ remainingMs: 1700 });

    const started = Date.now();
    const res = await call({ question: 'How do I book travel?' });
    const elapsed = Date.now() - started;

    expect(res.statusCode).toBe(503);
    expect(res.json).toEqual({ message: 'The language model is busy; try again shortly.' });
    // the call was cut at the budget (700 ms), keeping the 1 s margin
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(1000);
    expect(logs[0]).toMatchObject({ status: 503, errorKind: 'llm_timeout', attempts: { retriever: 1, llm: 1 } });
    // the timed-out call was aborted, not left running
    await waitFor(() => fake.abandoned === 1);
  });

  test('gives up with a 503 when the retriever does not answer in its share of the time', async () => {
    fake.routes.Retrieve = () => ({ ...kendraRetrieveResult(PASSAGES), delayMs: 10000 });
    const { call, logs } = setup({ remainingMs: 2000 });

    const started = Date.now();
    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(503);
    expect(res.json).toEqual({ message: 'The retriever is busy; try again shortly.' });
    expect(Date.now() - started).toBeLessThan(900);
    expect(logs[0]).toMatchObject({ status: 503, errorKind: 'retriever_timeout' });
    // AmazonKendraRetriever passes no signal on; the handler's request handler aborts the call anyway
    await waitFor(() => fake.abandoned === fake.calls('Retrieve').length);
  });

  test('answers 502 without retrying when the model fails', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => runtimeError('ModelError', 'Received client error (400) from primary with message "input How do I book travel? too long"', 424);
    const { call, logs } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(502);
    expect(res.json).toEqual({ message: 'The language model failed to answer.' });
    expect(fake.calls('InvokeEndpoint')).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 502, errorKind: 'llm_failed', errorName: 'ModelError', httpStatus: 424, attempts: { retriever: 1, llm: 1 } });
    expect(JSON.stringify(logs[0])).not.toContain('book travel');
  });

  test('answers 502 when the model answers with something that is not a generation', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = inSequence({ body: '<html>gateway</html>' }, { body: '{"outputs": ["x"]}' });
    const { call, logs } = setup();

    expect((await call({ question: 'How do I book travel?' })).json).toEqual({ message: 'The language model failed to answer.' });
    expect((await call({ question: 'How do I book travel?' })).statusCode).toBe(502);
    expect(logs.map((l) => l.errorName)).toEqual(['LmiResponseError', 'LmiResponseError']);
  });

  test('answers 502 without retrying when the retriever fails', async () => {
    fake.routes.Retrieve = () => kendraError('AccessDeniedException', 'not authorized to perform kendra:Retrieve');
    const { call, logs } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(502);
    expect(res.json).toEqual({ message: 'The retriever failed to answer.' });
    expect(fake.calls('Retrieve')).toHaveLength(1);
    expect(logs[0]).toMatchObject({ errorKind: 'retriever_failed', errorName: 'AccessDeniedException' });
  });

  test('never puts the question, the prompt or a stack trace in a response body', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = inSequence(
      runtimeError('ModelError', 'model crashed on: Passages: [1] Expense policy ... How do I book travel?', 424),
      { status: 500, body: 'Traceback (most recent call last):\n  File "model.py"' },
    );
    const { call } = setup();
    for (let i = 0; i < 2; i++) {
      const res = await call({ question: 'How do I book travel?' });
      expect(res.statusCode).toBe(502);
      expect(res.body).not.toMatch(/book travel|Passages|Expense|Traceback|\bat .*\.ts:\d+/);
    }
  });
});

describe('RAG handler: events and contexts it was not built for', () => {
  function handlerAndLogs() {
    const logs: Array<Record<string, unknown>> = [];
    const handler = createHandler({
      config: CONFIG,
      kendraClientConfig: fake.clientConfig(),
      runtimeClientConfig: fake.clientConfig(),
      log: (record) => logs.push(record as Record<string, unknown>),
    });
    return { handler, logs };
  }
  const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 20000 };

  test.each([
    ['a null event', null, /the event must be an API Gateway proxy event/],
    ['an undefined event', undefined, /the event must be an API Gateway proxy event/],
    ['a string event', 'How do I book travel?', /the event must be an API Gateway proxy event/],
    ['a body that is an object', { body: { question: 'How do I book travel?' } }, /the event's "body" must be a string holding JSON, got object/],
    ['a body that is an array', { body: ['How do I book travel?'] }, /the event's "body" must be a string holding JSON, got an array/],
    ['a body that is a number', { body: 42 }, /the event's "body" must be a string holding JSON, got number/],
  ])('answers 400 JSON, without throwing, to %s', async (_what, event, message) => {
    groundedServices();
    const { handler, logs } = handlerAndLogs();

    const res = await handler(event as unknown as ApiEvent, context);

    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect((JSON.parse(res.body) as { message: string }).message).toMatch(message);
    expect(logs[0]).toMatchObject({ status: 400, errorKind: 'bad_request', requestId: 'req-1' });
    expect(fake.requests).toHaveLength(0);
  });

  test.each([
    ['a context without getRemainingTimeInMillis', { awsRequestId: 'req-2' }],
    ['a null context', null],
    ['an undefined context', undefined],
  ])('answers 500 JSON, without throwing, to %s', async (_what, ctx) => {
    groundedServices();
    const { handler, logs } = handlerAndLogs();

    const res = await handler({ body: JSON.stringify({ question: 'How do I book travel?' }) }, ctx as unknown as LambdaContextLike);

    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ message: 'The function was invoked without a Lambda context; see its logs.' });
    expect(logs[0]).toMatchObject({ status: 500, level: 'error', errorKind: 'invalid_context' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('RAG handler: an internal error (500) is retried once', () => {
  test('a 500 from Kendra, then an answer', async () => {
    fake.routes.Retrieve = inSequence(kendraError('InternalServerException', 'internal', 500), kendraRetrieveResult(PASSAGES));
    fake.routes.InvokeEndpoint = () => lmiAnswer('Book it through the Travel Desk [1].');
    const { call, logs, sleeps } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(200);
    expect(fake.calls('Retrieve')).toHaveLength(2);
    expect(sleeps()).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 200, attempts: { retriever: 2, llm: 1 } });
  });

  test('a 500 from SageMaker, then an answer', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = inSequence(runtimeError('InternalFailure', 'internal', 500), lmiAnswer('Book it through the Travel Desk [1].'));
    const { call, logs } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(200);
    expect(fake.calls('InvokeEndpoint')).toHaveLength(2);
    expect(logs[0]).toMatchObject({ attempts: { retriever: 1, llm: 2 } });
  });

  test('two 500s in a row are a 502 after exactly two attempts', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => runtimeError('InternalFailure', 'internal', 500);
    const { call, logs } = setup();

    const res = await call({ question: 'How do I book travel?' });

    expect(res.statusCode).toBe(502);
    expect(fake.calls('InvokeEndpoint')).toHaveLength(2);
    expect(logs[0]).toMatchObject({ errorKind: 'llm_failed', errorName: 'InternalFailure', httpStatus: 500, attempts: { llm: 2 } });
  });

  test('no second attempt when the time left cannot fit one', async () => {
    const internal = Object.assign(new Error('internal'), { name: 'InternalServerException', $metadata: { httpStatusCode: 500 } });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw internal;
    };
    // Enough time for one more attempt: retried once, and only once.
    await expect(withRetries(failing, { budgetMs: () => 10000, sleep: async () => undefined, random: () => 0 }))
      .rejects.toMatchObject({ kind: 'failed', attempts: 2, cause: internal });
    expect(calls).toBe(2);
    // 150 ms left, and an attempt needs 100 ms after a 99 ms wait: no retry.
    calls = 0;
    await expect(withRetries(failing, { budgetMs: () => 150, sleep: async () => undefined, random: () => 0.999 }))
      .rejects.toMatchObject({ kind: 'failed', attempts: 1 });
    expect(calls).toBe(1);
  });
});

describe('RAG handler: the Cognito caller\'s identity goes to Kendra as UserContext', () => {
  async function ask(claims: Record<string, unknown> | undefined) {
    const handler = createHandler({ config: CONFIG, kendraClientConfig: fake.clientConfig(), runtimeClientConfig: fake.clientConfig(), log: () => undefined });
    const event: ApiEvent = {
      body: JSON.stringify({ question: 'How do I book travel?' }),
      requestContext: { requestId: 'r', authorizer: claims === undefined ? undefined : { claims } },
    };
    return handler(event, { getRemainingTimeInMillis: () => 20000 });
  }

  test('the user and groups of the claims reach Retrieve', async () => {
    groundedServices();
    const res = await ask({ 'sub': '1111-2222', 'cognito:username': 'alice', 'cognito:groups': 'finance,managers' });

    expect(res.statusCode).toBe(200);
    expect(fake.calls('Retrieve')[0].userContext).toEqual({ UserId: 'alice', Groups: ['finance', 'managers'] });
  });

  test.each([
    ['an array', ['finance', 'managers']],
    ['a bracketed list', '[finance, managers]'],
    ['a bracketed, space-separated list', '[finance managers]'],
  ])('reads cognito:groups given as %s', async (_what, groups) => {
    groundedServices();
    await ask({ 'cognito:username': 'alice', 'cognito:groups': groups });

    expect(fake.calls('Retrieve')[0].userContext).toEqual({ UserId: 'alice', Groups: ['finance', 'managers'] });
  });

  test('sub stands in for a missing username; no groups claim sends no Groups', async () => {
    groundedServices();
    await ask({ sub: '1111-2222' });

    expect(fake.calls('Retrieve')[0].userContext).toEqual({ UserId: '1111-2222' });
  });

  test('the Query fallback carries it too', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult([]);
    fake.routes.Query = () => kendraQueryResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => lmiAnswer('Book it through the Travel Desk [1].');
    await ask({ 'cognito:username': 'alice', 'cognito:groups': 'finance' });

    expect(fake.calls('Query')[0].userContext).toEqual({ UserId: 'alice', Groups: ['finance'] });
  });

  test('no claims (IAM authorization) send no UserContext', async () => {
    groundedServices();
    await ask(undefined);

    expect(fake.calls('Retrieve')).toHaveLength(1);
    expect(fake.calls('Retrieve')[0].userContext).toBeUndefined();
  });

  test('one request\'s identity never leaks into the next', async () => {
    groundedServices();
    const handler = createHandler({ config: CONFIG, kendraClientConfig: fake.clientConfig(), runtimeClientConfig: fake.clientConfig(), log: () => undefined });
    const body = JSON.stringify({ question: 'How do I book travel?' });
    const ctx = { getRemainingTimeInMillis: () => 20000 };
    await Promise.all([
      handler({ body, requestContext: { authorizer: { claims: { 'cognito:username': 'alice' } } } }, ctx),
      handler({ body, requestContext: { authorizer: { claims: { 'cognito:username': 'bob' } } } }, ctx),
      handler({ body }, ctx),
    ]);

    expect(fake.calls('Retrieve').map((r) => r.userContext?.UserId ?? null).sort()).toEqual(['alice', 'bob', null].sort());
  });
});

describe('RAG handler: configuration', () => {
  test.each<[string, Partial<RagConfig>, string]>([
    ['a Kendra index id that is not an id', { kendraIndexId: 'my-index' }, 'KENDRA_INDEX_ID'],
    ['an endpoint name SageMaker would reject', { endpointName: 'bad_name!' }, 'ENDPOINT_NAME'],
    ['TOP_K of zero', { topK: 0 }, 'TOP_K'],
    ['a fractional MAX_NEW_TOKENS', { maxNewTokens: 1.5 }, 'MAX_NEW_TOKENS'],
    ['a negative TEMPERATURE', { temperature: -1 }, 'TEMPERATURE'],
    ['MAX_QUESTION_CHARS of zero', { maxQuestionChars: 0 }, 'MAX_QUESTION_CHARS'],
  ])('answers every request with a 500 and logs the variable for %s', async (_name, bad, variable) => {
    groundedServices();
    const { call, logs } = setup({ config: bad });

    const first = await call({ question: 'How do I book travel?' });
    const second = await call({ question: 'How do I book travel?' });

    for (const res of [first, second]) {
      expect(res.statusCode).toBe(500);
      expect(res.json).toEqual({ message: 'The service is misconfigured; see its logs.' });
    }
    expect(fake.requests).toHaveLength(0);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({ level: 'error', status: 500, errorKind: 'config', configVariable: variable });
    expect(logs[0].errorMessage).toMatch(new RegExp(`^${variable} `));
  });

  test('refuses a MAX_QUESTION_CHARS beyond the retrievers\' 1000-character query limit (Kendra and knowledge base alike)', () => {
    expect(() => configFromEnv({ KENDRA_INDEX_ID: INDEX_ID, ENDPOINT_NAME: 'e1', AWS_REGION: 'us-east-1', MAX_QUESTION_CHARS: '2000' }))
      .toThrow(/MAX_QUESTION_CHARS must be an integer from 1 to 1000, got '2000'/);
  });

  test('reads its configuration from the environment, with the documented defaults', () => {
    const env = { KENDRA_INDEX_ID: INDEX_ID, ENDPOINT_NAME: 'falcon-40b-endpoint', AWS_REGION: 'eu-west-1' };
    expect(configFromEnv(env)).toEqual({
      corsOrigins: [],
      kendraIndexId: INDEX_ID, endpointName: 'falcon-40b-endpoint', region: 'eu-west-1',
      topK: 3, maxNewTokens: 256, temperature: 0.1, maxQuestionChars: 1000, maxHistoryTurns: 10, maxHistoryChars: 8000, debugLogging: false,
    });
    expect(configFromEnv({
      ...env, TOP_K: '5', MAX_NEW_TOKENS: '512', TEMPERATURE: '0', MAX_QUESTION_CHARS: '500', MAX_HISTORY_TURNS: '0', MAX_HISTORY_CHARS: '100', DEBUG_LOGGING: 'true',
    })).toMatchObject({ topK: 5, maxNewTokens: 512, temperature: 0, maxQuestionChars: 500, maxHistoryTurns: 0, maxHistoryChars: 100, debugLogging: true });
  });

  test.each<[Record<string, string>, RegExp]>([
    [{ KENDRA_INDEX_ID: '' }, /^KENDRA_INDEX_ID or KNOWLEDGE_BASE_ID must be set: neither is/],
    [{ KENDRA_INDEX_ID: 'my-index' }, /^KENDRA_INDEX_ID is not a Kendra index id \(36 letters, digits and hyphens\): 'my-index'$/],
    [{ ENDPOINT_NAME: '' }, /^ENDPOINT_NAME is not set$/],
    [{ AWS_REGION: '' }, /^AWS_REGION is not set$/],
    [{ TOP_K: 'three' }, /^TOP_K must be an integer from 1 to 100, got 'three'$/],
    [{ TOP_K: '101' }, /^TOP_K must be an integer from 1 to 100/],
    [{ MAX_NEW_TOKENS: '-5' }, /^MAX_NEW_TOKENS must be an integer/],
    [{ TEMPERATURE: 'hot' }, /^TEMPERATURE must be a number from 0 to 2, got 'hot'$/],
    [{ TEMPERATURE: '2.5' }, /^TEMPERATURE must be a number from 0 to 2/],
    [{ MAX_HISTORY_TURNS: '1e3' }, /^MAX_HISTORY_TURNS must be an integer/],
    [{ MAX_HISTORY_CHARS: '8k' }, /^MAX_HISTORY_CHARS must be an integer/],
    [{ DEBUG_LOGGING: 'yes' }, /^DEBUG_LOGGING must be 'true' or 'false', got 'yes'$/],
  ])('configFromEnv names the variable: %j', (bad, message) => {
    const env = { KENDRA_INDEX_ID: INDEX_ID, ENDPOINT_NAME: 'falcon-40b-endpoint', AWS_REGION: 'us-east-1', ...bad };
    expect(() => configFromEnv(env)).toThrow(message);
  });

  test('the Lambda entry point reads the environment on its first request and answers 500 when it is incomplete', async () => {
    const print = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const env = { KENDRA_INDEX_ID: undefined, KNOWLEDGE_BASE_ID: undefined, ENDPOINT_NAME: 'falcon-40b-endpoint', AWS_REGION: 'us-east-1' };
      const res = await withEnv(env, () => lambdaHandler({ body: JSON.stringify({ question: 'How do I book travel?' }) }, lambdaTime(30000).context));
      expect(res.statusCode).toBe(500);
      expect(res.body).toBe('{"message":"The service is misconfigured; see its logs."}');
      // the default log: one JSON line per request
      expect(print).toHaveBeenCalledTimes(1);
      const line = print.mock.calls[0][0] as string;
      expect(JSON.parse(line)).toMatchObject({ level: 'error', status: 500, errorKind: 'config', configVariable: 'KENDRA_INDEX_ID or KNOWLEDGE_BASE_ID', requestId: 'req-1234' });
    } finally {
      print.mockRestore();
    }
  });
});

describe('RAG handler: logs', () => {
  test('log one structured line per request without the question', async () => {
    groundedServices();
    const { call, logs } = setup();

    await call({ question: 'Is the merger with Initech still secret?' });
    await call({ question: '' });

    expect(logs).toHaveLength(2);
    expect(Object.keys(logs[0]).sort()).toEqual(['attempts', 'latencyMs', 'level', 'message', 'requestId', 'retrievedCount', 'status', 'userContext']);
    for (const record of logs) expect(JSON.stringify(record)).not.toMatch(/Initech|merger/);
  });

  test('log the question and error messages when DEBUG_LOGGING is on', async () => {
    fake.routes.Retrieve = () => kendraRetrieveResult(PASSAGES);
    fake.routes.InvokeEndpoint = () => runtimeError('ModelError', 'CUDA out of memory', 424);
    const { call, logs } = setup({ config: { debugLogging: true } });

    await call({ question: 'Is the merger with Initech still secret?' });

    expect(logs[0]).toMatchObject({ question: 'Is the merger with Initech still secret?', errorName: 'ModelError', errorMessage: expect.stringMatching(/CUDA out of memory/) });
  });
});

describe('CORS', () => {
  test('an allowed browser origin gets Access-Control-Allow-Origin; others do not', async () => {
    groundedServices();
    const handler = createHandler({
      config: { ...CONFIG, corsOrigins: ['https://app.example.com'] },
      kendraClientConfig: fake.clientConfig(),
      runtimeClientConfig: fake.clientConfig(),
      log: () => undefined,
    });
    const context = { getRemainingTimeInMillis: () => 20000 };
    const body = JSON.stringify({ question: 'How do I book travel?' });
    const allowed = await handler({ body, headers: { Origin: 'https://app.example.com' } }, context);
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin' });
    const other = await handler({ body, headers: { origin: 'https://evil.example.com' } }, context);
    expect(other.headers).toEqual({ 'content-type': 'application/json' });
  });

  test('CORS_ORIGINS is read as a comma-separated list', () => {
    const config = configFromEnv({ KENDRA_INDEX_ID: INDEX_ID, ENDPOINT_NAME: 'e1', AWS_REGION: 'us-east-1', CORS_ORIGINS: 'https://a.example.com, https://b.example.com' });
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });
});
