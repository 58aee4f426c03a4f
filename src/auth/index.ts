export { AuditLog } from './audit.js';
export { bearerChallenge, bearerErrorCode } from './challenge.js';
export { Discovery } from './discovery.js';
export { UserinfoCache, challengeScopes, hasScopes } from './policy.js';
export { resolveSpecAuth } from './spec-auth.js';
export { buildAuthRuntime, type AuthRuntime, type AuthShared, type Authenticated } from './runtime.js';
export type { AuthFailureReason, Principal } from './types.js';
export { JwksRegistry, type JwksFailure, type JwksRegistryOptions } from './jwks.js';
export { AuthError } from './verify.js';

import { LRUCache } from 'lru-cache';
import { Discovery } from './discovery.js';
import { UserinfoCache } from './policy.js';
import type { AuthShared } from './runtime.js';
import type { Principal } from './types.js';
import { JwksRegistry, type JwksRegistryOptions } from './jwks.js';

/** `jwks`: the JWKS registry's logger, failure counter and clock. */
export function createAuthShared(opts: { jwks?: JwksRegistryOptions } = {}): AuthShared {
  return {
    jwks: new JwksRegistry(opts.jwks),
    discovery: new Discovery(),
    // Entries expire with their token; the verifier checks `exp` itself on every hit, so the cache's
    // clock may be coarse (by default it re-reads the time through a 1 ms timer on the hot path).
    tokens: new LRUCache<string, Principal>({ max: 10_000, ttlResolution: 1000 }),
    userinfo: new UserinfoCache(),
  };
}
