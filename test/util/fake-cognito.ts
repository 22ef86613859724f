import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import type * as http from 'http';
import { bodyServer, closeLoopback, listenOnLoopback } from './loopback';

/**
 * A local stand-in for the OAuth 2.0 endpoints of a Cognito domain, on 127.0.0.1:
 * `GET /oauth2/authorize` (the managed login, which signs the configured user in at once and
 * redirects back with a code), `POST /oauth2/token` (authorization_code with PKCE S256 verified;
 * answers with CORS for the page's origin, as Cognito does for public clients) and `GET /logout`.
 * Tokens are HS256 JWTs that {@link FakeCognito.verify} checks, as the API's Cognito authorizer would.
 */
export interface FakeUser {
  readonly username: string;
  readonly sub: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface CognitoRecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The form fields of a POST. */
  readonly form: URLSearchParams;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' | 'expired' };

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
}

function base64Url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class FakeCognito {
  public url = '';
  public readonly clientId = 'fakeclient0123456789abcdef';
  public user: FakeUser = { username: 'taro', sub: '6f1c2d3e-0000-4000-8000-000000000001', email: 'taro@example.com', groups: ['staff'] };
  /** The callback and sign-out URLs registered on the app client. */
  public allowedRedirects: string[] = [];
  public tokenLifetimeSeconds = 3600;
  public readonly requests: CognitoRecordedRequest[] = [];
  private readonly secret = randomBytes(32);
  private readonly codes = new Map<string, PendingCode>();
  /** Seconds added to the clock when checking tokens: moving it past the lifetime expires every token. */
  private skewSeconds = 0;
  private server?: http.Server;

  public async start(): Promise<void> {
    this.server = bodyServer((req, body, res) => this.answer(req, body, res));
    this.url = await listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeLoopback(this.server);
  }

  /** Forgets the recorded requests and pending codes and resets the clock. */
  public reset(): void {
    this.requests.length = 0;
    this.codes.clear();
    this.skewSeconds = 0;
    this.tokenLifetimeSeconds = 3600;
  }

  /** The requests to one path. */
  public calls(path: string): CognitoRecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Every token issued so far is expired from now on (new sign-ins get valid ones). */
  public expireIssuedTokens(): void {
    this.skewSeconds += this.tokenLifetimeSeconds + 1;
  }

  /** Checks an `Authorization` header value the way the API's Cognito authorizer would: signature, audience, expiry. */
  public verify(token: string | undefined): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return { ok: false, reason: 'invalid' };
    const expected = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf-8')) as Record<string, unknown>;
    if (claims.aud !== this.clientId || claims.token_use !== 'id') return { ok: false, reason: 'invalid' };
    if (typeof claims.exp !== 'number' || claims.exp <= this.now() + this.skewSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  private now(): number {
    return Math.floor(Date.now() / 1000);
  }

  private jwt(claims: Record<string, unknown>): string {
    const head = base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'fake' }));
    const body = base64Url(JSON.stringify(claims));
    return `${head}.${body}.${base64Url(createHmac('sha256', this.secret).update(`${head}.${body}`).digest())}`;
  }

  private issue(): Record<string, unknown> {
    // Issued on the fake's clock, so tokens issued after expireIssuedTokens() are valid again.
    const iat = this.now() + this.skewSeconds;
    const common = { sub: this.user.sub, iss: this.url, iat, exp: iat + this.tokenLifetimeSeconds, auth_time: iat };
    return {
      id_token: this.jwt({
        ...common, aud: this.clientId, token_use: 'id', 'cognito:username': this.user.username, 'cognito:groups': this.user.groups, email: this.user.email,
      }),
      access_token: this.jwt({ ...common, client_id: this.clientId, token_use: 'access', username: this.user.username, scope: 'openid email profile' }),
      refresh_token: base64Url(randomBytes(32)),
      expires_in: this.tokenLifetimeSeconds,
      token_type: 'Bearer',
    };
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const form = new URLSearchParams(req.method === 'POST' ? body : '');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, form });
    const q = url.searchParams;
    const fail = (status: number, error: string, headers: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error }));
    };

    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('response_type') !== 'code' || q.get('client_id') !== this.clientId) return fail(400, 'invalid_request');
      if (!this.allowedRedirects.includes(redirectUri)) return fail(400, 'redirect_mismatch');
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return fail(400, 'invalid_request');
      if (!(q.get('scope') ?? '').split(' ').includes('openid')) return fail(400, 'invalid_scope');
      const code = base64Url(randomBytes(16));
      this.codes.set(code, { clientId: this.clientId, redirectUri, challenge: q.get('code_challenge')! });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }

    if (url.pathname === '/oauth2/token') {
      const origin = req.headers.origin;
      const cors: http.OutgoingHttpHeaders = origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' }).end();
        return;
      }
      const code = form.get('code') ?? '';
      const pending = this.codes.get(code);
      this.codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      if (form.get('grant_type') !== 'authorization_code' || !pending || form.get('client_id') !== pending.clientId
        || form.get('redirect_uri') !== pending.redirectUri) return fail(400, 'invalid_grant', cors);
      if (base64Url(createHash('sha256').update(verifier).digest()) !== pending.challenge) return fail(400, 'invalid_grant', cors);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors }).end(JSON.stringify(this.issue()));
      return;
    }

    if (req.method === 'GET' && url.pathname === '/logout') {
      const logoutUri = q.get('logout_uri') ?? '';
      if (q.get('client_id') !== this.clientId || !this.allowedRedirects.includes(logoutUri)) return fail(400, 'invalid_request');
      res.writeHead(302, { location: logoutUri }).end();
      return;
    }
    fail(404, 'not_found');
  }
}
