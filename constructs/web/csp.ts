/**
 * The page's Content Security Policy: its own scripts, styles and images only; requests to its own
 * origin (the API behind the same distribution) and to the Cognito domain (the token endpoint);
 * no plugins, no framing, no base or form targets. The test server serves the page under the same policy.
 */
export function contentSecurityPolicy(cognitoOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${cognitoOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
