import type * as http from 'http';
import { bodyServer, closeLoopback, listenOnLoopback } from './loopback';

/**
 * A local stand-in for the Bedrock Agent ingestion APIs the `kb` CLI calls, speaking their wire
 * protocol (REST-JSON, errors named by the `x-amzn-errortype` header) on 127.0.0.1:
 * ListDataSources (POST /knowledgebases/{kb}/datasources/), StartIngestionJob (PUT
 * .../datasources/{ds}/ingestionjobs/), ListIngestionJobs (POST .../ingestionjobs/) and
 * GetIngestionJob (GET .../ingestionjobs/{job}). Tests script the answers per operation and read
 * the requests received.
 */
export type BedrockAgentOperation = 'ListDataSources' | 'StartIngestionJob' | 'ListIngestionJobs' | 'GetIngestionJob';

export interface BedrockRecordedRequest {
  readonly operation: BedrockAgentOperation | 'unknown';
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
  readonly knowledgeBaseId?: string;
  readonly dataSourceId?: string;
  readonly ingestionJobId?: string;
}

/** A scripted answer; `status` defaults to 200. */
export interface BedrockReply {
  /** Never answer: the request stays open until the client gives up (or the fake stops). */
  readonly noAnswer?: boolean;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type BedrockRoute = (req: BedrockRecordedRequest) => BedrockReply;

const ROUTES: Array<[string, RegExp, BedrockAgentOperation]> = [
  ['POST', /^\/knowledgebases\/([^/]+)\/datasources\/?$/, 'ListDataSources'],
  ['PUT', /^\/knowledgebases\/([^/]+)\/datasources\/([^/]+)\/ingestionjobs\/?$/, 'StartIngestionJob'],
  ['POST', /^\/knowledgebases\/([^/]+)\/datasources\/([^/]+)\/ingestionjobs\/?$/, 'ListIngestionJobs'],
  ['GET', /^\/knowledgebases\/([^/]+)\/datasources\/([^/]+)\/ingestionjobs\/([^/]+)$/, 'GetIngestionJob'],
];

export class FakeBedrockAgent {
  public readonly requests: BedrockRecordedRequest[] = [];
  public readonly routes: Partial<Record<BedrockAgentOperation, BedrockRoute>> = {};
  public url = '';
  private server?: http.Server;

  public async start(): Promise<void> {
    this.server = bodyServer((req, body, res) => this.answer(req, body, res));
    this.url = await listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeLoopback(this.server);
  }

  public reset(): void {
    this.requests.length = 0;
    for (const key of Object.keys(this.routes) as BedrockAgentOperation[]) delete this.routes[key];
  }

  public calls(operation: BedrockAgentOperation): BedrockRecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const recorded = classify(req, body);
    this.requests.push(recorded);
    const route = recorded.operation === 'unknown' ? undefined : this.routes[recorded.operation];
    const reply = route ? route(recorded) : bedrockError('InternalServerException', `fake: no route for ${req.method} ${recorded.path}`, 500);
    if (reply.noAnswer) return;
    res.writeHead(reply.status ?? 200, { 'x-amzn-requestid': `fake-${this.requests.length}`, 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '');
  }
}

function classify(req: http.IncomingMessage, body: string): BedrockRecordedRequest {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  for (const [m, pattern, operation] of ROUTES) {
    const match = pattern.exec(path);
    if (match && m === method) {
      const [knowledgeBaseId, dataSourceId, ingestionJobId] = match.slice(1).map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
      return { operation, method, path, headers: req.headers, body, json, knowledgeBaseId, dataSourceId, ingestionJobId };
    }
  }
  return { operation: 'unknown', method, path, headers: req.headers, body, json };
}

/** A Bedrock Agent (REST-JSON) error such as ResourceNotFoundException (404) or ThrottlingException (429). */
export function bedrockError(type: string, message: string, status: number): BedrockReply {
  return { status, headers: { 'x-amzn-errortype': type }, body: JSON.stringify({ message }) };
}

export interface FakeDataSource {
  readonly id: string;
  readonly name: string;
}

/** A ListDataSources answer. */
export function dataSourcesResult(knowledgeBaseId: string, sources: readonly FakeDataSource[]): BedrockReply {
  return {
    body: JSON.stringify({
      dataSourceSummaries: sources.map((s) => ({ knowledgeBaseId, dataSourceId: s.id, name: s.name, status: 'AVAILABLE', updatedAt: '2026-11-30T10:00:00Z' })),
    }),
  };
}

export interface FakeJob {
  readonly id: string;
  readonly status: string;
  readonly scanned?: number;
  readonly indexed?: number;
  readonly modified?: number;
  readonly deleted?: number;
  readonly failed?: number;
  readonly failureReasons?: readonly string[];
  readonly startedAt?: string;
}

function ingestionJob(knowledgeBaseId: string, dataSourceId: string, job: FakeJob, withReasons: boolean) {
  return {
    knowledgeBaseId,
    dataSourceId,
    ingestionJobId: job.id,
    status: job.status,
    startedAt: job.startedAt ?? '2026-11-30T12:00:00Z',
    updatedAt: '2026-11-30T12:05:00Z',
    statistics: {
      numberOfDocumentsScanned: job.scanned ?? 0,
      numberOfMetadataDocumentsScanned: 0,
      numberOfNewDocumentsIndexed: job.indexed ?? 0,
      numberOfModifiedDocumentsIndexed: job.modified ?? 0,
      numberOfMetadataDocumentsModified: 0,
      numberOfDocumentsDeleted: job.deleted ?? 0,
      numberOfDocumentsFailed: job.failed ?? 0,
    },
    ...(withReasons && job.failureReasons ? { failureReasons: job.failureReasons } : {}),
  };
}

/** A StartIngestionJob (202) or GetIngestionJob answer: `{"ingestionJob": ...}`. */
export function ingestionJobResult(req: BedrockRecordedRequest, job: FakeJob, status = 200): BedrockReply {
  return { status, body: JSON.stringify({ ingestionJob: ingestionJob(req.knowledgeBaseId!, req.dataSourceId!, job, true) }) };
}

/** A ListIngestionJobs answer: summaries carry no failure reasons. */
export function ingestionJobsResult(req: BedrockRecordedRequest, jobs: readonly FakeJob[]): BedrockReply {
  return { body: JSON.stringify({ ingestionJobSummaries: jobs.map((j) => ingestionJob(req.knowledgeBaseId!, req.dataSourceId!, j, false)) }) };
}
