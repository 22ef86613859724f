import * as http from 'http';
import * as http2 from 'http2';
import type { AddressInfo } from 'net';

/**
 * A local stand-in for the services the RAG handler calls, speaking their wire protocols on
 * 127.0.0.1: Amazon Kendra (JSON 1.1: POST /, X-Amz-Target `AWSKendraFrontendService.<Operation>`,
 * errors as `{"__type": ...}`), SageMaker Runtime (REST-JSON: POST /endpoints/{name}/invocations,
 * errors named by the `x-amzn-errortype` header) and the Bedrock Agent Runtime `Retrieve` of a
 * knowledge base (REST-JSON: POST /knowledgebases/{id}/retrieve, errors named the same way). The
 * Bedrock Agent Runtime client speaks HTTP/2 only (its default request handler is the SDK's
 * NodeHttp2Handler), so the fake answers it on a second, HTTP/2 cleartext port: `http2Url`.
 * Tests script the answers per operation and read the requests received.
 */
export interface RagRecordedRequest {
  readonly api: 'kendra' | 'runtime' | 'bedrock-agent-runtime' | 'unknown';
  /** `Retrieve`, `Query` (Kendra), `InvokeEndpoint`, `KnowledgeBaseRetrieve` (Bedrock Agent Runtime Retrieve), or the unrecognised path. */
  readonly operation: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** For InvokeEndpoint: the endpoint name from the path. */
  readonly endpointName?: string;
  /** For KnowledgeBaseRetrieve: the knowledge base id from the path. */
  readonly knowledgeBaseId?: string;
  /** For Kendra Retrieve and Query: the `UserContext` the request carried, if any. */
  readonly userContext?: { readonly UserId?: string; readonly Groups?: readonly string[]; readonly Token?: string };
}

/** A scripted answer; `status` defaults to 200. */
export interface FakeReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Holds the answer back this long (a slow or hung dependency). */
  readonly delayMs?: number;
}

export type FakeRoute = (req: RagRecordedRequest) => FakeReply;

export type RagOperation = 'Retrieve' | 'Query' | 'InvokeEndpoint' | 'KnowledgeBaseRetrieve';

/** A passage as the fake Kendra index holds it. */
export interface FakePassage {
  readonly title: string;
  readonly uri: string;
  readonly content: string;
}

export class FakeRagServices {
  public readonly requests: RagRecordedRequest[] = [];
  public readonly routes: Partial<Record<RagOperation, FakeRoute>> = {};
  public url = '';
  /** The HTTP/2 (h2c) port's URL, for the Bedrock Agent Runtime client. */
  public http2Url = '';
  /** Requests whose client closed the connection before the answer was sent (an aborted call). */
  public abandoned = 0;
  private server?: http.Server;
  private server2?: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly timers = new Set<NodeJS.Timeout>();

  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf-8'), res));
    });
    // Plenty of room for the load test's concurrent connections.
    this.server.maxConnections = 1000;
    await new Promise<void>((resolve) => this.server!.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    // Room for the load test's 200 concurrent streams on the client's one session.
    this.server2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf-8'), res));
    });
    this.server2.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
    });
    await new Promise<void>((resolve) => this.server2!.listen({ port: 0, host: '127.0.0.1' }, resolve));
    this.http2Url = `http://127.0.0.1:${(this.server2.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => (this.server2 ? this.server2.close(() => resolve()) : resolve()));
  }

  /** Forgets the recorded requests and the scripted routes. */
  public reset(): void {
    this.requests.length = 0;
    this.abandoned = 0;
    for (const key of Object.keys(this.routes) as RagOperation[]) delete this.routes[key];
  }

  /** The requests of one operation. */
  public calls(operation: RagOperation): RagRecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Client settings that send an AWS SDK client here with dummy credentials. */
  public clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return { endpoint: this.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' } };
  }

  /** The same for the Bedrock Agent Runtime client, which speaks HTTP/2. */
  public knowledgeBaseClientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return { ...this.clientConfig(), endpoint: this.http2Url };
  }

  private answer(req: FakeHttpRequest, body: string, res: FakeHttpResponse): void {
    const recorded = classify(req, body);
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableEnded) this.abandoned++;
    });
    const route = this.routes[recorded.operation as RagOperation];
    const reply: FakeReply = route
      ? route(recorded)
      : recorded.api === 'runtime' || recorded.api === 'bedrock-agent-runtime'
        ? runtimeError('InternalFailure', `fake: no route for ${recorded.operation}`, 500)
        : kendraError('InternalServerException', `fake: no route for ${recorded.operation}`, 500);
    const send = () => {
      if (res.destroyed || res.stream?.destroyed) return;
      res.writeHead(reply.status ?? 200, { 'x-amzn-requestid': `fake-${this.requests.length}`, ...reply.headers }).end(reply.body ?? '');
    };
    if (reply.delayMs) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, reply.delayMs);
      this.timers.add(timer);
    } else {
      send();
    }
  }
}

/** What the fake reads of an HTTP/1.1 or HTTP/2 (compatibility API) request. */
interface FakeHttpRequest {
  readonly url?: string;
  readonly method?: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** What the fake uses of an HTTP/1.1 or HTTP/2 (compatibility API) response. */
interface FakeHttpResponse {
  readonly writableEnded: boolean;
  readonly destroyed?: boolean;
  readonly stream?: { readonly destroyed: boolean };
  on(event: 'close', listener: () => void): unknown;
  writeHead(status: number, headers: Record<string, string>): { end(body: string): unknown };
}

function classify(req: FakeHttpRequest, body: string): RagRecordedRequest {
  const path = req.url ?? '/';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('AWSKendraFrontendService.')) {
    const userContext = typeof json === 'object' && json !== null ? (json as { UserContext?: RagRecordedRequest['userContext'] }).UserContext : undefined;
    return { api: 'kendra', operation: target.slice('AWSKendraFrontendService.'.length), path, headers: req.headers, body, json, userContext };
  }
  const invocation = /^\/endpoints\/([^/]+)\/invocations$/.exec(path.split('?')[0]);
  if (invocation && req.method === 'POST') {
    return { api: 'runtime', operation: 'InvokeEndpoint', path, headers: req.headers, body, json, endpointName: decodeURIComponent(invocation[1]) };
  }
  const knowledgeBase = /^\/knowledgebases\/([^/]+)\/retrieve$/.exec(path.split('?')[0]);
  if (knowledgeBase && req.method === 'POST') {
    return { api: 'bedrock-agent-runtime', operation: 'KnowledgeBaseRetrieve', path, headers: req.headers, body, json, knowledgeBaseId: decodeURIComponent(knowledgeBase[1]) };
  }
  return { api: 'unknown', operation: path, path, headers: req.headers, body, json };
}

const KENDRA_JSON = { 'content-type': 'application/x-amz-json-1.1' };

/** A Kendra Retrieve answer (RetrieveResultItem: Id, DocumentId, DocumentTitle, Content, DocumentURI). */
export function kendraRetrieveResult(passages: readonly FakePassage[]): FakeReply {
  return {
    headers: KENDRA_JSON,
    body: JSON.stringify({
      QueryId: 'q-1',
      ResultItems: passages.map((p, i) => ({
        Id: `r-${i + 1}`,
        DocumentId: `doc-${i + 1}`,
        DocumentTitle: p.title,
        Content: p.content,
        DocumentURI: p.uri,
        DocumentAttributes: [{ Key: '_source_uri', Value: { StringValue: p.uri } }],
        ScoreAttributes: { ScoreConfidence: 'HIGH' },
      })),
    }),
  };
}

/** A Kendra Query answer (QueryResultItem: DocumentTitle and DocumentExcerpt are TextWithHighlights). */
export function kendraQueryResult(passages: readonly FakePassage[]): FakeReply {
  return {
    headers: KENDRA_JSON,
    body: JSON.stringify({
      QueryId: 'q-2',
      TotalNumberOfResults: passages.length,
      ResultItems: passages.map((p, i) => ({
        Id: `q-${i + 1}`,
        Type: 'DOCUMENT',
        DocumentId: `doc-${i + 1}`,
        DocumentTitle: { Text: p.title, Highlights: [] },
        DocumentExcerpt: { Text: p.content, Highlights: [] },
        DocumentURI: p.uri,
      })),
    }),
  };
}

/** A Kendra (JSON 1.1) error, such as ThrottlingException. */
export function kendraError(type: string, message: string, status = 400): FakeReply {
  return { status, headers: KENDRA_JSON, body: JSON.stringify({ __type: type, message }) };
}

/** An LMI rolling-batch answer: `{"generated_text": ...}`. */
export function lmiAnswer(text: string, delayMs?: number): FakeReply {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ generated_text: text }), delayMs };
}

/** The TGI-compatible list form: `[{"generated_text": ...}]`. */
export function tgiAnswer(text: string): FakeReply {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ generated_text: text }]) };
}

/** A SageMaker Runtime (REST-JSON) error, named by `x-amzn-errortype`. */
export function runtimeError(type: string, message: string, status = 400): FakeReply {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: JSON.stringify({ Message: message, message }) };
}

/** A route that gives the replies in order, then repeats the last one. */
export function inSequence(...replies: FakeReply[]): FakeRoute {
  let next = 0;
  return () => replies[Math.min(next++, replies.length - 1)];
}

/** The LLM payload a recorded InvokeEndpoint carried. */
export interface LmiPayload {
  readonly inputs: string;
  readonly parameters: Record<string, unknown>;
}

export function lmiPayloadOf(req: RagRecordedRequest): LmiPayload {
  return req.json as LmiPayload;
}

/** A knowledge base chunk as the fake holds it; `metadata` are the document's metadata attributes. */
export interface FakeChunk {
  readonly uri: string;
  readonly content: string;
  readonly metadata?: Record<string, unknown>;
  /** @default 'S3' (the location type; WEB puts the URI in webLocation.url) */
  readonly locationType?: 'S3' | 'WEB';
}

/**
 * A Bedrock Agent Runtime Retrieve answer (KnowledgeBaseRetrievalResult: content.text, location,
 * metadata, score). The service adds its own metadata keys (x-amz-bedrock-kb-*) next to the document's.
 */
export function knowledgeBaseResult(chunks: readonly FakeChunk[]): FakeReply {
  return {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      retrievalResults: chunks.map((c, i) => ({
        content: { type: 'TEXT', text: c.content },
        location: c.locationType === 'WEB' ? { type: 'WEB', webLocation: { url: c.uri } } : { type: 'S3', s3Location: { uri: c.uri } },
        metadata: { 'x-amz-bedrock-kb-source-uri': c.uri, 'x-amz-bedrock-kb-chunk-id': `chunk-${i + 1}`, ...c.metadata },
        score: 0.9 - i / 10,
      })),
    }),
  };
}

/** The retrieval request a recorded KnowledgeBaseRetrieve carried. */
export interface KnowledgeBaseRetrieveRequest {
  readonly retrievalQuery: { readonly text: string };
  readonly retrievalConfiguration?: { readonly vectorSearchConfiguration?: { readonly numberOfResults?: number } };
}

export function knowledgeBaseRequestOf(req: RagRecordedRequest): KnowledgeBaseRetrieveRequest {
  return req.json as KnowledgeBaseRetrieveRequest;
}

/** A Bedrock Agent Runtime (REST-JSON) error, such as ThrottlingException (429) or ValidationException (400): named by `x-amzn-errortype` as SageMaker Runtime's are. */
export function knowledgeBaseError(type: string, message: string, status: number): FakeReply {
  return runtimeError(type, message, status);
}
