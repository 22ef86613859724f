/// <reference lib="dom" />
/**
 * Sign-in with the Cognito managed login: the OAuth 2.0 authorization-code flow with PKCE (S256)
 * for a public client (no secret). Tokens live in memory only; the PKCE verifier and the state
 * survive the redirect in sessionStorage and are removed as soon as the code is exchanged.
 */
import type { Settings } from './settings';

const PENDING_KEY = 'rag-chat-pending-sign-in';

export interface Session {
  /** The ID token: the Cognito user-pool authorizer of a method without OAuth scopes takes it. */
  readonly idToken: string;
  /** Seconds since the epoch at which the ID token expires. */
  readonly expiresAt: number;
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** The page's own URL without query or fragment: the callback and sign-out URL registered on the app client. */
export function redirectUri(): string {
  return `${location.origin}/`;
}

/** Sends the browser to the managed login page. */
export async function signIn(settings: Settings): Promise<void> {
  const verifier = randomString();
  const state = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${settings.cognitoDomain}/oauth2/authorize?${query}`);
}

/** Ends the Cognito session too, then comes back to the page signed out. */
export function signOut(settings: Settings): void {
  const query = new URLSearchParams({ client_id: settings.clientId, logout_uri: redirectUri() });
  location.assign(`${settings.cognitoDomain}/logout?${query}`);
}

/** The claims of a JWT, unverified (the API verifies it; the page only reads the expiry). */
function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(decodeURIComponent(Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''))) as Record<string, unknown>;
}

export class SignInError extends Error {}

/**
 * When the URL carries `code` and `state` from the managed login: checks the state, exchanges the
 * code with the verifier, and removes them from the address bar. Undefined when there is no code.
 */
export async function completeSignIn(settings: Settings): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  const error = params.get('error');
  if (code === null && error === null) return undefined;
  history.replaceState(null, '', redirectUri());
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (error !== null) throw new SignInError(error);
  const pending = pendingText ? JSON.parse(pendingText) as { verifier?: string; state?: string } : {};
  if (!pending.verifier || pending.state !== state) throw new SignInError('state mismatch');
  // A cross-origin fetch: Cognito's token endpoint answers browsers with CORS (the plain-JavaScript
  // PKCE exchange in aws-amplify/amplify-js issue 5284); the page's CSP connect-src names the domain.
  const response = await fetch(`${settings.cognitoDomain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code: code ?? '',
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new SignInError(`token endpoint answered ${response.status}`);
  const tokens = await response.json() as { id_token?: unknown };
  if (typeof tokens.id_token !== 'string') throw new SignInError('no id_token');
  const exp = claimsOf(tokens.id_token).exp;
  return { idToken: tokens.id_token, expiresAt: typeof exp === 'number' ? exp : 0 };
}

/** True when the session's token has expired (or will within 30 s, a request's time on the wire). */
export function expired(session: Session, nowMs = Date.now()): boolean {
  return session.expiresAt * 1000 <= nowMs + 30_000;
}
