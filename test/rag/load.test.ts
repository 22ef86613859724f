import { performance } from 'node:perf_hooks';
import { createHandler, type ApiResult, type HandlerOptions } from '../../constructs/rag/handler';
import { CONFIG_DEFAULTS } from '../../constructs/rag/handler/config';
import {
  FakeRagServices, kendraRetrieveResult, knowledgeBaseRequestOf, knowledgeBaseResult, lmiAnswer, lmiPayloadOf, type RagOperation,
} from '../util/fake-rag-services';

const REQUESTS = 200;
/**
 * The Lambda time each request is told it has. On Lambda each of 200 concurrent requests runs in its
 * own execution environment with the function's 25 s (RagApi); here all 200 share one Node.js
 * process, and on CI two cores with other Jest workers, so the burst's wall time measures the
 * machine's load (seen from 1.5 s to 8 s; a run under heavy load once ran past the retriever's share of
 * the time, half of 28 s, and got a 503). The deadline is set far beyond any burst so that this test proves
 * correctness under concurrency; the deadline itself is tested against a controlled clock in
 * handler.test.ts and handler-kb.test.ts.
 */
const REMAINING_MS = 120_000;
/** Room for the handler to answer (or give up) within REMAINING_MS before Jest gives up on the test. */
const TEST_TIMEOUT_MS = REMAINING_MS + 30_000;

const fake = new FakeRagServices();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const BASE = { endpointName: 'falcon-40b-endpoint', region: 'us-east-1', ...CONFIG_DEFAULTS };

/** Each retriever: its handler options and a fake route whose passage depends on the question, so a mixed-up response shows. */
const RETRIEVERS: Array<[string, RagOperation, () => HandlerOptions, () => void]> = [
  ['Kendra', 'Retrieve', () => ({ config: { ...BASE, kendraIndexId: '0123abcd-0123-4567-89ab-0123456789ab' }, kendraClientConfig: fake.clientConfig() }), () => {
    fake.routes.Retrieve = (req) => {
      const query = (req.json as { QueryText: string }).QueryText;
      return kendraRetrieveResult([{ title: `Doc for ${query}`, uri: `s3://docs/${encodeURIComponent(query)}.txt`, content: `All about ${query}.` }]);
    };
  }],
  ['a knowledge base', 'KnowledgeBaseRetrieve', () => ({ config: { ...BASE, knowledgeBaseId: 'KB12345678' }, knowledgeBaseClientConfig: fake.knowledgeBaseClientConfig() }), () => {
    fake.routes.KnowledgeBaseRetrieve = (req) => {
      const query = knowledgeBaseRequestOf(req).retrievalQuery.text;
      return knowledgeBaseResult([{ uri: `s3://docs/${encodeURIComponent(query)}.txt`, content: `All about ${query}.`, metadata: { title: `Doc for ${query}` } }]);
    };
  }],
];

beforeEach(() => fake.reset());

test.each(RETRIEVERS)(`answers ${REQUESTS} concurrent requests through %s, each with its own answer, none lost`, async (name, operation, options, route) => {
  // GIVEN fakes whose passages and answers depend on the question, so a mixed-up response shows
  route();
  fake.routes.InvokeEndpoint = (req) => {
    const question = /User: (.*)\nAssistant:$/.exec(lmiPayloadOf(req).inputs)?.[1] ?? 'no question found';
    // a little model latency, so that requests overlap and finish out of order
    return lmiAnswer(`Answer to ${question} [1].`, Math.floor(Math.random() * 20));
  };
  const logs: object[] = [];
  const handler = createHandler({
    ...options(),
    runtimeClientConfig: fake.clientConfig(),
    log: (record) => logs.push(record),
  });

  // WHEN
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: REQUESTS }, async (_, i) => {
    const context = { awsRequestId: `req-${i}`, getRemainingTimeInMillis: () => REMAINING_MS - (performance.now() - started) };
    const t0 = performance.now();
    const res: ApiResult = await handler({ body: JSON.stringify({ question: `question number ${i}` }) }, context);
    return { i, res, ms: performance.now() - t0 };
  }));
  const wallMs = performance.now() - started;

  // THEN every request got its own right answer
  expect(results).toHaveLength(REQUESTS);
  const wrong = results.filter(({ i, res }) => {
    if (res.statusCode !== 200) return true;
    const body = JSON.parse(res.body) as { answer: string; sources: Array<{ title: string }> };
    return body.answer !== `Answer to question number ${i} [1].` || body.sources.length !== 1 || body.sources[0].title !== `Doc for question number ${i}`;
  });
  expect(wrong.map(({ i, res }) => `${i}: ${res.statusCode} ${res.body}`)).toEqual([]);
  expect(fake.calls(operation)).toHaveLength(REQUESTS);
  expect(fake.calls('InvokeEndpoint')).toHaveLength(REQUESTS);
  expect(logs).toHaveLength(REQUESTS);

  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const [p50, p95, max] = [percentile(latencies, 50), percentile(latencies, 95), latencies[latencies.length - 1]];
  process.stdout.write(`rag load (${name}): ${REQUESTS} requests, p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${max.toFixed(0)} ms (wall ${wallMs.toFixed(0)} ms, local fakes)\n`);
  // The figures depend on the machine's load, so they are printed, not asserted. One attempt each
  // (exactly REQUESTS calls above): no request needed a retry, so none ran past its time.
  expect(logs.filter((r) => JSON.stringify((r as { attempts?: unknown }).attempts) !== '{"retriever":1,"llm":1}')).toEqual([]);
}, TEST_TIMEOUT_MS);
