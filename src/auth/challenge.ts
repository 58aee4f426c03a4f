import type { AuthFailureReason } from './types.js';

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/**
 * `WWW-Authenticate: Bearer resource_metadata="…", scope="…", error="…"` (RFC 6750 §3, RFC 9728 §5.1).
 * A request that sent no credentials gets no error code, as RFC 6750 asks.
 */
export function bearerChallenge(opts: { metadataUrl: string; scopes: string[]; reason?: AuthFailureReason; description?: string }): string {
  const parts = [`resource_metadata=${quote(opts.metadataUrl)}`];
  if (opts.scopes.length > 0) parts.push(`scope=${quote(opts.scopes.join(' '))}`);
  const error = opts.reason ? bearerErrorCode(opts.reason) : undefined;
  if (error) {
    parts.push(`error=${quote(error)}`);
    if (opts.description) parts.push(`error_description=${quote(opts.description)}`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/** The RFC 6750 error code for a refusal; none when no credentials were sent. */
export function bearerErrorCode(reason: AuthFailureReason): string | undefined {
  switch (reason) {
    case 'missing_token':
      return undefined;
    case 'malformed_header':
    case 'multiple_credentials':
    case 'token_in_query':
      return 'invalid_request';
    case 'insufficient_scope':
      return 'insufficient_scope';
    case 'policy_denied':
      return 'insufficient_scope';
    default:
      return 'invalid_token';
  }
}
