import * as http from 'http';
import type { AddressInfo } from 'net';
import { crc32 } from 'zlib';

/**
 * A local stand-in for the AWS APIs the CLI calls, speaking their wire protocols on 127.0.0.1:
 * SageMaker (JSON 1.1, X-Amz-Target), SageMaker Runtime (REST-JSON, with the
 * vnd.amazon.eventstream framing for response streams), CloudFormation (query protocol, XML),
 * Step Functions (JSON 1.0, X-Amz-Target AWSStepFunctions.*) and S3 PutObject (REST-XML, path-style
 * PUT /<bucket>/<key>). Tests script its answers and read the requests it received.
 */
export interface RecordedRequest {
  readonly api: 'sagemaker' | 'runtime' | 'cloudformation' | 'sfn' | 's3';
  readonly operation: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The raw request body (S3 uploads). */
  readonly bytes?: Buffer;
}

/** A scripted answer; `status` defaults to 200. */
export interface FakeAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** For response streams: the payload parts, sent as separate event-stream messages. */
  readonly streamParts?: string[];
}

export type Handler = (req: RecordedRequest) => FakeAnswer;

export class FakeAws {
  public readonly requests: RecordedRequest[] = [];
  public readonly handlers: Partial<Record<string, Handler>> = {};
  private server?: http.Server;

  /** The base URL, once started. */
  public url = '';

  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The requests of one operation. */
  public calls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  private answer(req: http.IncomingMessage, bytes: Buffer, res: http.ServerResponse): void {
    const recorded = { ...this.classify(req, bytes.toString('utf-8')), bytes };
    this.requests.push(recorded);
    const handler = this.handlers[recorded.operation];
    if (!handler) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake AWS: no handler for ${recorded.operation}`);
      return;
    }
    const answer = handler(recorded);
    if (answer.streamParts) {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/vnd.amazon.eventstream', ...answer.headers });
      for (const part of answer.streamParts) {
        res.write(eventStreamMessage({ ':message-type': 'event', ':event-type': 'PayloadPart', ':content-type': 'application/octet-stream' }, Buffer.from(part)));
      }
      res.end();
      return;
    }
    res.writeHead(answer.status ?? 200, answer.headers ?? {}).end(answer.body ?? '');
  }

  private classify(req: http.IncomingMessage, body: string): RecordedRequest {
    const path = req.url ?? '/';
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('SageMaker.')) {
      return { api: 'sagemaker', operation: target.slice('SageMaker.'.length), path, headers: req.headers, body };
    }
    if (typeof target === 'string' && target.startsWith('AWSStepFunctions.')) {
      return { api: 'sfn', operation: target.slice('AWSStepFunctions.'.length), path, headers: req.headers, body };
    }
    if (req.method === 'PUT') {
      return { api: 's3', operation: 'PutObject', path, headers: req.headers, body };
    }
    const runtime = /^\/endpoints\/([^/]+)\/(invocations-response-stream|invocations)$/.exec(path.split('?')[0]);
    if (runtime) {
      return { api: 'runtime', operation: runtime[2] === 'invocations' ? 'InvokeEndpoint' : 'InvokeEndpointWithResponseStream', path, headers: req.headers, body };
    }
    const action = new URLSearchParams(body).get('Action') ?? 'Unknown';
    return { api: 'cloudformation', operation: action, path, headers: req.headers, body };
  }
}

/** A SageMaker (JSON 1.1) answer. */
export function sagemakerJson(value: unknown): FakeAnswer {
  return { headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(value) };
}

/** A SageMaker (JSON 1.1) error. */
export function sagemakerError(type: string, message: string, status = 400): FakeAnswer {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type }, body: JSON.stringify({ __type: type, message }) };
}

/** A SageMaker Runtime (REST-JSON) error. */
export function runtimeError(type: string, message: string, status = 400): FakeAnswer {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: JSON.stringify({ Message: message, message }) };
}

/** A Step Functions (JSON 1.0) answer. */
export function sfnJson(value: unknown): FakeAnswer {
  return { headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(value) };
}

/** A Step Functions (JSON 1.0) error. */
export function sfnError(type: string, message: string, status = 400): FakeAnswer {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: `com.amazonaws.swf.service.v2.model#${type}`, message }) };
}

/** An S3 (REST-XML) error. */
export function s3Error(code: string, message: string, status = 400): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>r-3</RequestId></Error>`,
  };
}

/** A CloudFormation DescribeStacks answer (query protocol XML). */
export function describeStacksXml(stacks: Array<{ name: string; status: string; outputs?: Record<string, string>; tags?: Record<string, string> }>): FakeAnswer {
  const members = stacks.map((s) => `<member>
<StackName>${s.name}</StackName><StackId>arn:aws:cloudformation:us-east-1:111111111111:stack/${s.name}/1</StackId>
<StackStatus>${s.status}</StackStatus><CreationTime>2026-11-20T10:00:00.000Z</CreationTime>
<Outputs>${Object.entries(s.outputs ?? {}).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('')}</Outputs>
<Tags>${Object.entries(s.tags ?? {}).map(([k, v]) => `<member><Key>${k}</Key><Value>${v}</Value></member>`).join('')}</Tags>
</member>`).join('');
  return {
    headers: { 'content-type': 'text/xml' },
    body: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
  };
}

/** A CloudFormation (query protocol) error. */
export function cloudFormationError(code: string, message: string, status = 400): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`,
  };
}

/**
 * One message of the AWS event-stream encoding: total length, headers length and prelude CRC32,
 * string headers (type 7), the payload, and the CRC32 of everything before it.
 */
export function eventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerBytes = Buffer.concat(Object.entries(headers).map(([name, value]) => {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(v.length);
    return Buffer.concat([Buffer.from([n.length]), n, Buffer.from([7]), len, v]);
  }));
  const total = 12 + headerBytes.length + payload.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude) >>> 0);
  const withoutCrc = Buffer.concat([prelude, preludeCrc, headerBytes, payload]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(withoutCrc) >>> 0);
  return Buffer.concat([withoutCrc, messageCrc]);
}
