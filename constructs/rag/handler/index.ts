import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { BedrockAgentRuntimeClientConfig } from '@aws-sdk/client-bedrock-agent-runtime';
import type { KendraClientConfig, QueryCommandInput, RetrieveCommandInput, UserContext } from '@aws-sdk/client-kendra';
import { SageMakerRuntimeClient, type SageMakerRuntimeClientConfig } from '@aws-sdk/client-sagemaker-runtime';
import { AmazonKendraRetriever, AmazonKnowledgeBaseRetriever } from '@langchain/aws';
import type { DocumentInterface } from '@langchain/core/documents';
import { ConfigError, configFromEnv, validateConfig, type RagConfig } from './config';
import { SageMakerLmiLLM } from './lmi';
import { buildPrompt, cleanAnswer, NOTHING_FOUND, saysDoNotKnow, type Passage } from './prompt';
import { BadRequest, eventBody, parseRequest } from './request';
import { CallFailure, withRetries, type FailureKind } from './retry';
import { userContextOf } from './user-context';

export { configFromEnv, ConfigError, type RagConfig } from './config';

/**
 * The Lambda behind the RAG API (API Gateway REST, proxy integration): parse and check the
 * question, retrieve passages from Kendra (LangChain's AmazonKendraRetriever, KENDRA_INDEX_ID) or
 * from a Bedrock knowledge base (AmazonKnowledgeBaseRetriever, KNOWLEDGE_BASE_ID), stuff them into
 * a prompt with the chat history, ask the LMI endpoint, answer with the sources.
 *
 * Failure contract: 400 for a bad request, 503 when a dependency stays throttled or times out
 * within the Lambda's time, 502 when it fails otherwise, 500 for a bad configuration. Response
 * bodies carry a short message only: never a stack trace, the prompt or the question.
 */

/** The claims a Cognito user-pool authorizer passes on (string values, as API Gateway renders them). */
export interface CognitoClaims {
  readonly sub?: string;
  readonly 'cognito:username'?: string;
  readonly 'cognito:groups'?: string | readonly string[];
  readonly [claim: string]: unknown;
}

/** The parts of an API Gateway REST proxy event the handler reads. */
export interface ApiEvent {
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly authorizer?: { readonly claims?: CognitoClaims | null } | null;
  } | null;
}

/** The parts of the Lambda context the handler reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

export interface ApiResult {
  readonly statusCode: number;
  readonly headers: { readonly 'content-type': 'application/json' } & Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HandlerOptions {
  /** @default read from the Lambda's environment (configFromEnv) on the first request */
  readonly config?: RagConfig;
  /** Overrides for the Kendra client (tests point it at a local fake). `maxAttempts` is always 1. */
  readonly kendraClientConfig?: KendraClientConfig;
  /** Overrides for the Bedrock Agent Runtime client of the knowledge-base retriever. `maxAttempts` is always 1. */
  readonly knowledgeBaseClientConfig?: BedrockAgentRuntimeClientConfig;
  /** Overrides for the SageMaker Runtime client. `maxAttempts` is always 1. */
  readonly runtimeClientConfig?: SageMakerRuntimeClientConfig;
  /** The backoff's wait. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Receives one structured record per request. @default console.log of its JSON */
  readonly log?: (record: object) => void;
}

export type RagHandler = (event: ApiEvent, context: LambdaContextLike) => Promise<ApiResult>;

/** Kept free at the end of the Lambda's time to log and answer. */
const MARGIN_MS = 1000;
/** Retrieval may use at most this share of the time left when the request starts; the rest is the LLM's. */
const RETRIEVER_SHARE = 0.5;

const DEPENDENCY_NAMES = { retriever: 'retriever', llm: 'language model' } as const;
type Dependency = keyof typeof DEPENDENCY_NAMES;

/** A dependency call that failed for good, with the dependency it was. */
class DependencyError extends Error {
  public override readonly name = 'DependencyError';
  constructor(public readonly dependency: Dependency, public readonly failure: CallFailure) {
    super(`${dependency} ${failure.message}`);
  }
}

/** The configured retriever: the passages for a question. */
interface Retriever {
  /** Whether the caller's Cognito identity reaches the retriever (Kendra's UserContext). */
  readonly usesUserContext: boolean;
  invoke(question: string): Promise<Passage[]>;
}

interface Services {
  readonly config: RagConfig;
  readonly retriever: Retriever;
  readonly llm: SageMakerLmiLLM;
}

/**
 * The abort signal of the retriever attempt in progress. Neither LangChain retriever passes a
 * signal on to its SDK client, so the client's request handler takes it from here: a timed-out
 * attempt then closes its HTTP request instead of leaving it running.
 */
const attemptSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * The caller's Kendra UserContext for the request in progress. AmazonKendraRetriever builds its
 * Retrieve and Query commands itself and takes no per-call Retrieve parameters (only a fixed
 * attribute filter), so a middleware on its Kendra client adds the UserContext from here.
 */
const requestUserContext = new AsyncLocalStorage<UserContext | undefined>();

const USER_CONTEXT_COMMANDS = new Set(['RetrieveCommand', 'QueryCommand']);

function addUserContext(retriever: AmazonKendraRetriever): void {
  retriever.kendraClient.middlewareStack.add(
    (next, context) => async (args) => {
      const userContext = requestUserContext.getStore();
      if (userContext === undefined || !USER_CONTEXT_COMMANDS.has(context.commandName ?? '')) return next(args);
      const input = args.input as RetrieveCommandInput | QueryCommandInput;
      return next({ ...args, input: { ...input, UserContext: userContext } });
    },
    { step: 'initialize', name: 'ragUserContext' },
  );
}

interface SignalledHandler {
  handle(request: never, options?: { abortSignal?: unknown }): Promise<unknown>;
}

function abortFromAttemptSignal(requestHandler: SignalledHandler): void {
  const handle = requestHandler.handle.bind(requestHandler) as (request: unknown, options?: object) => Promise<unknown>;
  requestHandler.handle = ((request: unknown, options?: { abortSignal?: unknown }) =>
    handle(request, { ...options, abortSignal: options?.abortSignal ?? attemptSignal.getStore() })) as SignalledHandler['handle'];
}

/** The region a retriever's client uses: the test's client config when it names one, else the function's. */
function clientRegion(config: RagConfig, clientConfig: { region?: unknown } | undefined): string {
  return typeof clientConfig?.region === 'string' ? clientConfig.region : config.region;
}

function kendraRetriever(config: RagConfig, indexId: string, options: HandlerOptions): Retriever {
  const region = clientRegion(config, options.kendraClientConfig);
  const retriever = new AmazonKendraRetriever({
    indexId,
    topK: config.topK,
    region,
    clientOptions: { region, ...options.kendraClientConfig, maxAttempts: 1 },
  });
  abortFromAttemptSignal(retriever.kendraClient.config.requestHandler as unknown as SignalledHandler);
  addUserContext(retriever);
  return { usesUserContext: true, invoke: async (question) => (await retriever.invoke(question)).map(kendraPassage) };
}

function knowledgeBaseRetriever(config: RagConfig, knowledgeBaseId: string, options: HandlerOptions): Retriever {
  const region = clientRegion(config, options.knowledgeBaseClientConfig);
  const retriever = new AmazonKnowledgeBaseRetriever({
    knowledgeBaseId,
    topK: config.topK,
    region,
    clientOptions: { region, ...options.knowledgeBaseClientConfig, maxAttempts: 1 },
  });
  abortFromAttemptSignal(retriever.bedrockAgentRuntimeClient.config.requestHandler as unknown as SignalledHandler);
  return { usesUserContext: false, invoke: async (question) => (await retriever.invoke(question)).map(knowledgeBasePassage) };
}

function buildServices(config: RagConfig, options: HandlerOptions): Services {
  // validateConfig has checked that exactly one of the two is set.
  const retriever = config.knowledgeBaseId !== undefined
    ? knowledgeBaseRetriever(config, config.knowledgeBaseId, options)
    : kendraRetriever(config, config.kendraIndexId!, options);
  const client = new SageMakerRuntimeClient({ region: config.region, ...options.runtimeClientConfig, maxAttempts: 1 });
  const llm = new SageMakerLmiLLM({
    client,
    endpointName: config.endpointName,
    maxNewTokens: config.maxNewTokens,
    temperature: config.temperature,
  });
  return { config, retriever, llm };
}

function respond(statusCode: number, body: object): ApiResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function errorFacts(e: unknown): { errorName: string; httpStatus?: number; errorMessage: string } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = err.$metadata?.httpStatusCode;
  return {
    errorName: typeof err.name === 'string' ? err.name : typeof e,
    ...(typeof status === 'number' ? { httpStatus: status } : {}),
    errorMessage: (typeof err.message === 'string' ? err.message : String(e)).split('\n')[0].slice(0, 500),
  };
}

/** A passage of AmazonKendraRetriever: metadata `title`, `source` (the document URI) and `excerpt`. */
function kendraPassage(doc: DocumentInterface): Passage {
  const { title, source, excerpt } = doc.metadata as Record<string, unknown>;
  return {
    title: typeof title === 'string' ? title : '',
    uri: typeof source === 'string' ? source : '',
    excerpt: typeof excerpt === 'string' ? excerpt : '',
  };
}

/**
 * A chunk of AmazonKnowledgeBaseRetriever as the same passage: the chunk text is the excerpt and
 * metadata `source` the location's URI (S3, web, Confluence, SharePoint or Salesforce). A knowledge
 * base has no document title: the document's own `title` metadata attribute (from its
 * `.metadata.json` file) when it has one, else the file name of the URI, as Kendra's S3 connector
 * titles a document without one. Known limitation: LangChain spreads the document's metadata
 * attributes over `source`, so an attribute named `source` replaces the URI.
 */
function knowledgeBasePassage(doc: DocumentInterface): Passage {
  const { title, source } = doc.metadata as Record<string, unknown>;
  const uri = typeof source === 'string' ? source : '';
  return {
    title: typeof title === 'string' && title.trim() !== '' ? title : fileName(uri),
    uri,
    excerpt: doc.pageContent,
  };
}

/** The last path segment of a URI, decoded when it can be; '' for none. */
function fileName(uri: string): string {
  const last = uri.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** A handler with its own clients, built on the first request (configuration errors never throw at import). */
export function createHandler(options: HandlerOptions = {}): RagHandler {
  const log = options.log ?? ((record: object) => console.log(JSON.stringify(record)));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let built: Services | ConfigError | undefined;

  function services(): Services {
    if (built === undefined) {
      try {
        built = buildServices(options.config ? validateConfig(options.config) : configFromEnv(), options);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        built = e;
      }
    }
    if (built instanceof ConfigError) throw built;
    return built;
  }

  return async (rawEvent, rawContext) => {
    const started = performance.now();
    const attempts: Record<Dependency, number> = { retriever: 0, llm: 0 };
    // Direct invocations (console tests, other functions) can send anything: never trust the shapes.
    const event: Partial<ApiEvent> = isObject(rawEvent) ? rawEvent : {};
    const context: Partial<LambdaContextLike> = isObject(rawContext) ? rawContext : {};
    const record: Record<string, unknown> = {
      level: 'info',
      message: 'rag request',
      requestId: stringOrNull(context.awsRequestId) ?? stringOrNull(isObject(event.requestContext) ? event.requestContext.requestId : undefined),
    };
    let debug = false;
    let corsOrigins: readonly string[] = [];
    let result: ApiResult;
    try {
      const { config, retriever, llm } = services();
      debug = config.debugLogging;
      corsOrigins = config.corsOrigins ?? [];
      if (!isObject(rawEvent)) throw new BadRequest('the event must be an API Gateway proxy event with a JSON body');
      const request = parseRequest(eventBody(event), config);
      if (debug) record.question = request.question;
      const remaining = context.getRemainingTimeInMillis;
      if (typeof remaining !== 'function') throw new InvalidContext();
      const userContext = retriever.usesUserContext ? userContextOf(rawEvent) : undefined;
      record.userContext = userContext !== undefined;

      const budget = () => remaining.call(context) - MARGIN_MS;
      const llmReserve = budget() * (1 - RETRIEVER_SHARE);

      const retrieved = await withRetries(
        (signal) => requestUserContext.run(userContext, () => attemptSignal.run(signal, () => retriever.invoke(request.question))),
        { sleep, budgetMs: () => budget() - llmReserve },
      ).catch((e: unknown) => { throw e instanceof CallFailure ? new DependencyError('retriever', e) : e; });
      attempts.retriever = retrieved.attempts;
      const passages = retrieved.value;
      record.retrievedCount = passages.length;

      if (passages.length === 0) {
        result = respond(200, { answer: NOTHING_FOUND, sources: [] });
      } else {
        const prompt = await buildPrompt(request.question, request.history, passages);
        const generated = await withRetries(
          (signal) => llm.invoke(prompt, { signal }),
          { sleep, budgetMs: budget },
        ).catch((e: unknown) => { throw e instanceof CallFailure ? new DependencyError('llm', e) : e; });
        attempts.llm = generated.attempts;
        const answer = cleanAnswer(generated.value);
        result = respond(200, { answer, sources: saysDoNotKnow(answer) ? [] : passages });
      }
    } catch (e) {
      result = failure(e, record, attempts, debug);
    }
    record.status = result.statusCode;
    record.latencyMs = Math.round(performance.now() - started);
    record.attempts = attempts;
    if (record.retrievedCount === undefined) record.retrievedCount = 0;
    log(record);
    return withCors(result, event, corsOrigins);
  };
}

/** The handler was invoked without a Lambda context (no getRemainingTimeInMillis): a caller's bug, not a bad request. */
class InvalidContext extends Error {
  public override readonly name = 'InvalidContext';
  constructor() {
    super('the Lambda context has no getRemainingTimeInMillis()');
  }
}

function isObject<T>(value: T | null | undefined): value is T & object {
  return typeof value === 'object' && value !== null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * With the Lambda proxy integration API Gateway passes the function's headers through, so the
 * CORS header for an allowed browser origin must come from here.
 */
function withCors(result: ApiResult, event: Partial<ApiEvent>, origins: readonly string[]): ApiResult {
  const headers = isObject(event.headers) ? event.headers : {};
  const origin = Object.entries(headers).find(([k]) => k.toLowerCase() === 'origin')?.[1];
  if (!origin || !origins.includes(origin)) return result;
  return { ...result, headers: { ...result.headers, 'access-control-allow-origin': origin, vary: 'Origin' } };
}

/** The response for a failed request; fills in the log record's error fields. */
function failure(e: unknown, record: Record<string, unknown>, attempts: Record<Dependency, number>, debug: boolean): ApiResult {
  if (e instanceof BadRequest) {
    record.errorKind = 'bad_request';
    record.errorMessage = e.message;
    return respond(400, { message: e.message });
  }
  record.level = 'error';
  if (e instanceof InvalidContext) {
    record.errorKind = 'invalid_context';
    record.errorMessage = e.message;
    return respond(500, { message: 'The function was invoked without a Lambda context; see its logs.' });
  }
  if (e instanceof ConfigError) {
    record.errorKind = 'config';
    record.configVariable = e.variable;
    record.errorMessage = e.message;
    return respond(500, { message: 'The service is misconfigured; see its logs.' });
  }
  if (e instanceof DependencyError) {
    const { dependency, failure: { kind, attempts: tries, cause } } = e;
    attempts[dependency] = tries;
    const facts = errorFacts(cause);
    record.errorKind = `${dependency}_${kind}`;
    record.errorName = facts.errorName;
    if (facts.httpStatus !== undefined) record.httpStatus = facts.httpStatus;
    // Dependency messages can quote the request (a model error may echo its input): debug only.
    if (debug) record.errorMessage = facts.errorMessage;
    const busy: FailureKind[] = ['throttled', 'timeout'];
    return busy.includes(kind)
      ? respond(503, { message: `The ${DEPENDENCY_NAMES[dependency]} is busy; try again shortly.` })
      : respond(502, { message: `The ${DEPENDENCY_NAMES[dependency]} failed to answer.` });
  }
  const facts = errorFacts(e);
  record.errorKind = 'internal';
  record.errorName = facts.errorName;
  if (debug) record.errorMessage = facts.errorMessage;
  return respond(500, { message: 'Internal error.' });
}

/** The Lambda entry point: configuration from the environment, read with the clients on the first request. */
export const handler: RagHandler = createHandler();
