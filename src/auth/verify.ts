import * as crypto from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthConfig } from '../config/types.js';
import { AppError } from '../errors.js';
import type { Discovery } from './discovery.js';
import type { AuthFailureReason, Principal } from './types.js';

export class AuthError extends AppError {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(reason === 'insufficient_scope' || reason === 'policy_denied' ? 'AUTH_INSUFFICIENT_SCOPE' : 'AUTH_INVALID_TOKEN', message);
  }
}

/**
 * JWKS sets by URI, kept for the life of the process so a reload keeps warm keys. jose refetches
 * on an unknown `kid` at most once per cooldown, and concurrent fetches share one request.
 */
export class JwksRegistry {
  private readonly sets = new Map<string, JWTVerifyGetKey>();

  async get(uri: string): Promise<JWTVerifyGetKey> {
    let set = this.sets.get(uri);
    if (!set) {
      const { createRemoteJWKSet } = await loadJose();
      set = this.sets.get(uri) ?? createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5000 });
      this.sets.set(uri, set);
    }
    return set;
  }
}

export interface VerifierDeps {
  jwks: JwksRegistry;
  discovery: Discovery;
  /** Verified tokens (hash → principal), shared by snapshots with the same issuer and audiences. */
  cache: LRUCache<string, Principal>;
}

/** jose loads with the first token: a sidecar without auth never pays for it at start-up. */
let jose: Promise<typeof import('jose')> | undefined;
function loadJose(): Promise<typeof import('jose')> {
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
  const keyFor = async (): Promise<JWTVerifyGetKey> => {
    if (!jwksUri) {
      const meta = await deps.discovery.get(auth.issuer);
      if (!meta?.jwks_uri) throw new AuthError('jwks_unavailable', `cannot find the JWKS of ${auth.issuer}: no jwks_uri in its metadata (set auth.jwksUri)`);
      jwksUri = meta.jwks_uri;
    }
    return await deps.jwks.get(jwksUri);
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
      return new AuthError('jwks_unavailable', 'the issuer keys could not be fetched; try again');
  }
  if (err instanceof TypeError) return new AuthError('jwks_unavailable', 'the issuer keys could not be fetched; try again');
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
