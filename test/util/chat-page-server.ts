import * as fs from 'fs';
import type * as http from 'http';
import * as path from 'path';
import type { ApiEvent, LambdaContextLike, RagHandler } from '../../constructs/rag/handler';
import { contentSecurityPolicy } from '../../constructs/web/csp';
import type { FakeCognito } from './fake-cognito';
import { bodyServer, closeLoopback, listenOnLoopback } from './loopback';

/**
 * The chat page as CloudFront would serve it, on 127.0.0.1: the built files and a config.json with
 * the response headers of RagChatWebsite (the same CSP), and `/v1/ask` as API Gateway would run it:
 * the Cognito authorizer (tokens checked by the fake Cognito; 401 as API Gateway words it), then the
 * real RAG handler with the verified claims in the proxy event. Scripted gateway replies stand in for
 * what API Gateway answers itself (429 from the stage throttle).
 */
export interface ChatPageServerOptions {
  readonly pageDir: string;
  readonly cognito: FakeCognito;
  readonly handler: RagHandler;
  readonly title?: string;
  readonly defaultLanguage?: 'ja' | 'en';
  /** The API's limits config.json tells the page, as RagChatWebsite writes them from the RagApi; the handler's own should match. */
  readonly limits: { readonly maxQuestionLength: number; readonly maxHistoryTurns: number; readonly maxHistoryChars: number };
  /** The Lambda context of one request. @default 25 s on the wall clock */
  readonly lambdaContext?: () => LambdaContextLike;
}

export interface ApiCall {
  readonly authorization?: string;
  readonly body: unknown;
  readonly status: number;
}

const API_PATH = '/v1/ask';
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export class ChatPageServer {
  public url = '';
  /** Answers API Gateway gives itself, used (and removed) in order before the authorizer runs. */
  public readonly gatewayReplies: Array<{ status: number; body: object }> = [];
  public readonly apiCalls: ApiCall[] = [];
  private server?: http.Server;

  constructor(private readonly options: ChatPageServerOptions) {}

  public async start(): Promise<void> {
    this.server = bodyServer((req, body, res) => {
      this.answer(req, body, res).catch((e: unknown) => {
        res.writeHead(500).end(String(e));
      });
    });
    this.url = await listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeLoopback(this.server);
  }

  public reset(): void {
    this.gatewayReplies.length = 0;
    this.apiCalls.length = 0;
  }

  private headers(contentType: string): http.OutgoingHttpHeaders {
    return {
      'content-type': contentType,
      'content-security-policy': contentSecurityPolicy(this.options.cognito.url),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    };
  }

  private async answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === API_PATH) {
      if (req.method !== 'POST') {
        res.writeHead(403, this.headers('application/json')).end('{"message":"Missing Authentication Token"}');
        return;
      }
      await this.api(req, body, res);
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === '/config.json') {
      const config = {
        region: 'us-east-1',
        userPoolId: 'us-east-1_fakepool',
        clientId: this.options.cognito.clientId,
        cognitoDomain: this.options.cognito.url,
        apiPath: API_PATH,
        title: this.options.title ?? 'RAG チャット',
        defaultLanguage: this.options.defaultLanguage ?? 'ja',
        ...this.options.limits,
      };
      res.writeHead(200, this.headers('application/json')).end(JSON.stringify(config));
      return;
    }
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const full = path.join(this.options.pageDir, file);
    if (!/^[\w.-]+$/.test(file) || !fs.existsSync(full)) {
      res.writeHead(404, this.headers('text/plain')).end('not found');
      return;
    }
    res.writeHead(200, this.headers(TYPES[path.extname(file)] ?? 'application/octet-stream')).end(fs.readFileSync(full));
  }

  private async api(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const authorization = req.headers.authorization;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = body;
    }
    const reply = (status: number, payload: string) => {
      this.apiCalls.push({ authorization, body: parsed, status });
      res.writeHead(status, this.headers('application/json')).end(payload);
    };
    const scripted = this.gatewayReplies.shift();
    if (scripted) return reply(scripted.status, JSON.stringify(scripted.body));
    const check = this.options.cognito.verify(authorization);
    // API Gateway's words for a Cognito authorizer's refusals.
    if (!check.ok) return reply(401, JSON.stringify({ message: check.reason === 'expired' ? 'The incoming token has expired' : 'Unauthorized' }));
    // The REST API renders the claims as strings, a list as "[a b]" (see constructs/rag/handler/user-context.ts).
    const claims = Object.fromEntries(Object.entries(check.claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));
    const event: ApiEvent = {
      body,
      headers: { 'content-type': String(req.headers['content-type'] ?? ''), authorization: authorization ?? '' },
      requestContext: { requestId: `req-${this.apiCalls.length + 1}`, authorizer: { claims } },
    };
    const started = Date.now();
    const context = this.options.lambdaContext?.() ?? { getRemainingTimeInMillis: () => 25_000 - (Date.now() - started) };
    const result = await this.options.handler(event, context);
    reply(result.statusCode, result.body);
  }
}
