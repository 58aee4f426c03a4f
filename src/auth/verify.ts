import * as crypto from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthConfig } from '../config/types.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { Discovery } from './discovery.js';
import type { JwksRegistry } from './jwks.js';
import type { AuthFailureReason, Principal } from './types.js';

export class AuthError extends AppError {
  /** For `jwks_unavailable`: seconds until the keys may be fetched again (the 503's Retry-After). */
  readonly retryAfterSec: number | undefined;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    opts: { retryAfterSec?: number } = {},
  ) {
    super(codeOf(reason), message);
    this.retryAfterSec = opts.retryAfterSec;
  }
}

function codeOf(reason: AuthFailureReason): ErrorCode {
  if (reason === 'insufficient_scope' || reason === 'policy_denied') return 'AUTH_INSUFFICIENT_SCOPE';
  if (reason === 'jwks_unavailable') return 'AUTH_UNAVAILABLE';
  return 'AUTH_INVALID_TOKEN';
}

export interface VerifierDeps {
  jwks: JwksRegistry;
  discovery: Discovery;
  /** Verified tokens (hash → principal), shared by snapshots with the same issuer and audiences. */
  cache: LRUCache<string, Principal>;
}

/** jose loads with the first token: a sidecar without auth never pays for it at start-up. */
let jose: Promise<typeof import('jose')> | undefined;
export function loadJose(): Promise<typeof import('jose')> {
  jose ??= import('jose');
  return jose;
}

const WORKOS_SESSION_ISSUER = /^https:\/\/api\.workos\.com\/user_management\//;

/**
 * Bearer JWT → Principal, or an AuthError saying why not: signature against the issuer's JWKS,
 * pinned asymmetric algorithms, exact iss, aud = the resource (RFC 8707), exp required, nbf.
 * Verified tokens are cached until they expire, so the hot path does not verify twice.
 */
// One-shot hashing (Node ≥ 20.12) costs a fraction of a Hash object per request; tokens are keyed
// by their hash so the cache never holds a bearer token.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64url') => string }).hash;
const sha256 = (s: string): string => (oneShot ? oneShot('sha256', s, 'base64url') : crypto.createHash('sha256').update(s).digest('base64url'));

export function createVerifier(auth: AuthConfig, audiences: () => string[], deps: VerifierDeps): (token: string) => Promise<Principal> {
  let jwksUri = auth.jwksUri;
  // The workos preset's default JWKS location; it has no discovery to fall back on.
  const hint =
    auth.provider === 'workos' && jwksUri === `${auth.issuer}/oauth2/jwks`
      ? `The workos provider takes its keys from <issuer>/oauth2/jwks and never falls back to discovery: check that auth.issuer is the AuthKit domain, or set auth.jwksUri`
      : undefined;
  const keyFor = async (): Promise<JWTVerifyGetKey> => {
    if (!jwksUri) {
      const meta = await deps.discovery.get(auth.issuer);
      // Not the client's fault: 503, and discovery is not retried for a minute (its failure cache).
      if (!meta?.jwks_uri) throw new AuthError('jwks_unavailable', `cannot find the keys of ${auth.issuer}: no jwks_uri in its metadata (set auth.jwksUri)`, { retryAfterSec: 60 });
      jwksUri = meta.jwks_uri;
    }
    return await deps.jwks.get(jwksUri, hint);
  };
  return async (token) => {
    const key = `${auth.issuer}\0${audiences().join(' ')}\0${sha256(token)}`;
    const hit = deps.cache.get(key);
    if (hit && hit.exp * 1000 > Date.now()) return hit;
    const getKey = await keyFor();
    let payload;
    try {
      const { jwtVerify } = await loadJose();
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: auth.issuer,
        audience: audiences(),
        algorithms: auth.algorithms,
        clockTolerance: auth.clockToleranceSec,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw explain(err, token, auth);
    }
    // jose checks that iat is a number, not when it is: a token "issued" beyond the clock tolerance in
    // the future was minted by a skewed or forged clock and would outlive its stated lifetime.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + auth.clockToleranceSec) {
      throw new AuthError('not_yet_valid', 'the token was issued in the future (iat)');
    }
    const principal = toPrincipal(payload as Principal['claims'], auth.scopesClaim);
    deps.cache.set(key, principal, { ttl: Math.max(1, principal.exp * 1000 - Date.now()) });
    return principal;
  };
}

function toPrincipal(claims: Principal['claims'], scopesClaim: string): Principal {
  const raw = claims[scopesClaim];
  const scopes = new Set(Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(' ').filter(Boolean) : []);
  return {
    sub: String(claims.sub),
    clientId: typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined,
    orgId: typeof claims.org_id === 'string' ? claims.org_id : undefined,
    scopes,
    claims,
    exp: Number(claims.exp),
  };
}

function explain(err: unknown, token: string, auth: AuthConfig): AuthError {
  if (err instanceof AuthError) return err;
  // Looked at first: a session token has no aud and may be signed by other keys, so jose rarely fails on its iss.
  const iss = safeIssuer(token);
  if (iss && iss !== auth.issuer && WORKOS_SESSION_ISSUER.test(iss)) {
    return new AuthError('session_token', 'this is a WorkOS AuthKit session token, not an MCP access token: get a token from the AuthKit OAuth flow (issuer ' + auth.issuer + ')');
  }
  // jose's errors carry stable codes; branch on those, not on classes or messages.
  const { code, claim } = err as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new AuthError('expired', 'the access token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return new AuthError('wrong_issuer', `the token was not issued by ${auth.issuer}`);
      if (claim === 'aud') return new AuthError('wrong_audience', 'the token is not meant for this resource (aud)');
      if (claim === 'nbf') return new AuthError('not_yet_valid', 'the token is not valid yet (nbf)');
      return new AuthError('invalid_token', `the token is invalid: ${(err as Error).message}`);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError('algorithm_not_allowed', 'the token is signed with an algorithm this resource does not accept');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new AuthError('unknown_key', 'the token is signed with a key the issuer does not publish');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthError('bad_signature', 'the token signature is invalid');
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    case 'ECONNREFUSED':
      return new AuthError('jwks_unavailable', "the authorization server's keys cannot be fetched right now; try again later", { retryAfterSec: 30 });
  }
  return new AuthError('invalid_token', 'the token is malformed or invalid');
}

/** The unverified `iss` of a compact JWT, only to explain a rejection. */
function safeIssuer(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}
