import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, bearerChallenge, bearerErrorCode, challengeScopes, type AuditLog, type Authenticated, type AuthRuntime } from '../auth/index.js';
import type { ServerRuntime } from '../runtime/index.js';
import type { Metrics } from './metrics.js';
import { sendJson } from './respond.js';

/**
 * Authenticates a request to a server with auth. On failure it answers: 401 with a challenge that
 * points at the protected-resource metadata, 403 for missing scopes (step-up) and policy denials,
 * 400 for repeated credentials, or 503 + Retry-After while the issuer's keys cannot be fetched.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  res: ServerResponse,
  rt: ServerRuntime & { auth: AuthRuntime },
  deps: { audit?: AuditLog; metrics?: Metrics; requestId: string },
): Promise<Authenticated | undefined> {
  try {
    const authed = await rt.auth.authenticate(req);
    deps.audit?.authSuccess(rt.name, authed.principal, deps.requestId);
    return authed;
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    deps.audit?.authFailure(rt.name, err.reason, deps.requestId);
    deps.metrics?.authFailure(rt.name, err.reason);
    sendAuthError(res, rt.auth, err, rt.auth.challengeScopes);
    return undefined;
  }
}

export function sendAuthError(res: ServerResponse, auth: AuthRuntime, err: AuthError, scopes: string[]): void {
  if (err.reason === 'jwks_unavailable') {
    // Not the client's fault, and not a reason to throw its token away and log in again: no challenge.
    sendJson(res, 503, { error: 'temporarily_unavailable', error_description: err.message }, { 'retry-after': String(err.retryAfterSec ?? 30) });
    return;
  }
  const headers: Record<string, string> = {};
  if (err.reason !== 'policy_denied') {
    headers['www-authenticate'] = bearerChallenge({
      metadataUrl: auth.metadataUrl(),
      scopes,
      ...(err.reason === 'missing_token' ? {} : { reason: err.reason, description: err.message }),
    });
  }
  // RFC 6750 §3.1: invalid_request SHOULD be 400; kept for a request that repeats the credentials, since
  // the other malformed headers (another scheme, no token) are better met by a 401 that starts the login.
  const status = err.reason === 'insufficient_scope' || err.reason === 'policy_denied' ? 403 : err.reason === 'multiple_credentials' ? 400 : 401;
  // The body's error is the challenge's (invalid_request, invalid_token, insufficient_scope).
  const error = err.reason === 'policy_denied' ? 'access_denied' : (bearerErrorCode(err.reason) ?? 'unauthorized');
  sendJson(res, status, { error, error_description: err.message }, headers);
}

/** A tools/call for a tool the caller lacks scopes for: 403 naming the scopes to ask for (step-up). */
export function sendStepUp(res: ServerResponse, auth: AuthRuntime, tool: string): void {
  const scopes = challengeScopes(auth.scopesFor(tool), auth.config.requiredScopes);
  sendAuthError(res, auth, new AuthError('insufficient_scope', `the tool ${tool} needs the scopes: ${scopes.join(' ')}`), scopes);
}
