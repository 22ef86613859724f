import type { UserContext } from '@aws-sdk/client-kendra';

/**
 * The caller's identity for Kendra's document-level access control. With a Cognito user-pool
 * authorizer on a REST API, API Gateway puts the verified token's claims in
 * `requestContext.authorizer.claims`; the handler turns them into the Retrieve/Query `UserContext`
 * (UserId and Groups), so Kendra returns only the documents whose ACL admits the user or a group,
 * and public ones. With IAM authorization there are no claims and no UserContext is sent.
 */

/** Kendra's UserContext limits (API reference, UserContext): 1 to 2048 groups of 1 to 200 characters, no control characters. */
const MAX_GROUPS = 2048;
const MAX_PRINCIPAL_CHARS = 200;
// Kendra documents the pattern ^\P{C}*$ (no control or other non-printing characters).
const PRINCIPAL = /^\P{C}+$/u;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `cognito:groups` as the claims carry it. Known limitation: the REST API Cognito authorizer's
 * rendering of this list claim is not verified against an AWS page; a JSON array, a string such as
 * "[a, b]" or "[a b]", and a comma-separated string are all read.
 */
function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim !== 'string') return [];
  const inner = claim.trim().replace(/^\[(.*)\]$/s, '$1');
  return inner.split(inner.includes(',') ? ',' : /\s+/).map((g) => g.trim()).filter((g) => g !== '');
}

function principal(value: string): boolean {
  return value.length <= MAX_PRINCIPAL_CHARS && PRINCIPAL.test(value);
}

/**
 * The Kendra UserContext of an API Gateway proxy event, or undefined when the request carries no
 * Cognito claims. The user is `cognito:username` (what document ACLs name), else `sub`.
 */
export function userContextOf(event: unknown): UserContext | undefined {
  if (!isRecord(event) || !isRecord(event.requestContext) || !isRecord(event.requestContext.authorizer)) return undefined;
  const claims = event.requestContext.authorizer.claims;
  if (!isRecord(claims)) return undefined;
  const user = [claims['cognito:username'], claims.sub].find((v): v is string => typeof v === 'string' && principal(v));
  if (user === undefined) return undefined;
  const groups = [...new Set(groupsOf(claims['cognito:groups']).filter(principal))].slice(0, MAX_GROUPS);
  return groups.length > 0 ? { UserId: user, Groups: groups } : { UserId: user };
}
