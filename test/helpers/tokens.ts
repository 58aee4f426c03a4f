/**
 * Access tokens built with jose — a valid one and a matrix of forgeries — against the test authorization
 * server's real signing key (AuthServer.privateJwk), shaped like the JWTs oidc-provider issues
 * (header {alg RS256, typ at+jwt, kid}; claims iss, sub, aud, scope, client_id, jti, iat, exp, org_id, sid).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { exportSPKI, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { DEFAULT_ACCOUNT_ID, DEFAULT_ORG_ID, DEFAULT_PUBLIC_CLIENT_ID, generateSigningKey } from './oidc.js';

/** What signing needs from the AS: an `AuthServer` fits. */
export interface SigningIdentity {
  issuer: string;
  privateJwk: JWK;
}

export interface TokenClaimsOptions {
  /** The resource the token is for (its `aud`), e.g. http://127.0.0.1:PORT/mcp. */
  audience: string;
  subject?: string;
  scope?: string;
  clientId?: string;
  orgId?: string;
  /** Lifetime in seconds from now. Default 300. */
  ttl?: number;
  /** Merged last: overrides or adds claims (set one to `undefined` to drop it). */
  claims?: JWTPayload;
}

export interface SignOptions {
  /** Default: the AS key (RS256, its kid). */
  key?: JWK;
  alg?: string;
  /** Header fields merged over {alg, typ: 'at+jwt', kid}. */
  header?: Record<string, unknown>;
}

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The claims of a token oidc-provider would issue for a user of the test AS. */
export function accessTokenClaims(as: SigningIdentity, opts: TokenClaimsOptions): JWTPayload {
  const iat = now();
  const claims: JWTPayload = {
    iss: as.issuer,
    sub: opts.subject ?? DEFAULT_ACCOUNT_ID,
    aud: opts.audience,
    scope: opts.scope ?? 'tools:read tools:call',
    client_id: opts.clientId ?? DEFAULT_PUBLIC_CLIENT_ID,
    org_id: opts.orgId ?? DEFAULT_ORG_ID,
    sid: 'session_01TEST',
    jti: randomUUID(),
    iat,
    exp: iat + (opts.ttl ?? 300),
    ...opts.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

/** Signs `payload` as-is (no defaults added) with the AS key, or `opts.key`. */
export async function signJwt(as: SigningIdentity, payload: JWTPayload, opts: SignOptions = {}): Promise<string> {
  const jwk = opts.key ?? as.privateJwk;
  const alg = opts.alg ?? jwk.alg ?? 'RS256';
  const key = await importJWK(jwk, alg);
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'at+jwt', kid: jwk.kid, ...opts.header }).sign(key);
}

/** A token the sidecar must accept: signed by the AS key, right iss/aud, not expired. */
export async function signAccessToken(as: SigningIdentity, opts: TokenClaimsOptions, sign: SignOptions = {}): Promise<string> {
  return signJwt(as, accessTokenClaims(as, opts), sign);
}

/** What a strict verifier (jose jwtVerify with issuer, audience, algorithms ['RS256'], requiredClaims ['exp']) throws. */
export interface ExpectedFailure {
  /** jose error `code`, e.g. ERR_JWT_EXPIRED. */
  code: string;
  /** For ERR_JWT_CLAIM_VALIDATION_FAILED: the claim (`iss`, `aud`, `nbf`, `exp`). */
  claim?: string;
}

export interface Forgery {
  token: string;
  description: string;
  expect: ExpectedFailure;
}

export type ForgeryName =
  | 'expired'
  | 'notYetValid'
  | 'wrongIssuer'
  | 'issuerTrailingSlash'
  | 'wrongAudience'
  | 'missingExp'
  | 'algNone'
  | 'hs256WithPublicKey'
  | 'unknownKid'
  | 'wrongKeySameKid'
  | 'tamperedPayload'
  | 'garbage'
  | 'workosSessionToken';

export interface TokenMatrix {
  /** The control: must verify. */
  valid: string;
  forgeries: Record<ForgeryName, Forgery>;
}

/** The verifier options the `expect` codes assume (what the sidecar should use, minus its own clock tolerance). */
export function strictVerifyOptions(as: SigningIdentity, audience: string) {
  return { issuer: as.issuer, audience, algorithms: ['RS256'], requiredClaims: ['exp'] };
}

/**
 * A valid token and every forgery, for `audience`. Claims are those of `accessTokenClaims` (so each forgery
 * differs from `valid` in one respect). Keys other than the AS's are generated here (costs ~0.1–0.5 s).
 */
export async function buildTokenMatrix(as: SigningIdentity, opts: TokenClaimsOptions): Promise<TokenMatrix> {
  const base = accessTokenClaims(as, opts);
  const t = now();
  const other = await generateSigningKey();
  const asKid = as.privateJwk.kid;
  const valid = await signJwt(as, base);

  const publicPem = await exportSPKI(await importJWK({ kty: 'RSA', n: as.privateJwk.n, e: as.privateJwk.e }, 'RS256'));
  const hsHeader = { alg: 'HS256', typ: 'at+jwt', kid: asKid };
  const hsInput = `${b64url(hsHeader)}.${b64url(base)}`;
  const hs256 = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;

  const [h, , s] = valid.split('.');
  const tampered = `${h}.${b64url({ ...base, scope: 'tools:read tools:call admin', sub: 'user_01ATTACKER' })}.${s}`;

  const { exp: _exp, ...noExp } = base;
  const { aud: _aud, client_id: _cid, scope: _scope, ...session } = base;

  const forgeries: Record<ForgeryName, Forgery> = {
    expired: {
      token: await signJwt(as, { ...base, iat: t - 7200, exp: t - 3600 }),
      description: 'exp an hour ago',
      expect: { code: 'ERR_JWT_EXPIRED', claim: 'exp' },
    },
    notYetValid: {
      token: await signJwt(as, { ...base, nbf: t + 3600, exp: t + 7200 }),
      description: 'nbf an hour from now',
      expect: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'nbf' },
    },
    wrongIssuer: {
      token: await signJwt(as, { ...base, iss: 'https://evil.example.com' }),
      description: 'signed by the real key but iss is another issuer',
      expect: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' },
    },
    issuerTrailingSlash: {
      token: await signJwt(as, { ...base, iss: `${as.issuer}/` }),
      description: 'iss with a trailing slash (issuer identifiers compare exactly, RFC 8414 §3.3)',
      expect: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' },
    },
    wrongAudience: {
      token: await signJwt(as, { ...base, aud: new URL('/other-resource', opts.audience).href }),
      description: 'signed by the real key for another resource of the same AS (aud ≠ this resource)',
      expect: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' },
    },
    missingExp: {
      token: await signJwt(as, noExp),
      description: 'no exp claim (never expires)',
      expect: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'exp' },
    },
    algNone: {
      token: `${b64url({ alg: 'none', typ: 'at+jwt', kid: asKid })}.${b64url(base)}.`,
      description: 'unsecured JWT: alg none, empty signature',
      expect: { code: 'ERR_JOSE_ALG_NOT_ALLOWED' },
    },
    hs256WithPublicKey: {
      token: hs256,
      description: 'HS256 with the RSA public key (SPKI PEM) as the HMAC secret — algorithm confusion',
      expect: { code: 'ERR_JOSE_ALG_NOT_ALLOWED' },
    },
    unknownKid: {
      token: await signJwt(as, base, { key: { ...other, kid: 'kid-not-in-jwks' } }),
      description: 'signed by another RSA key whose kid the JWKS does not have',
      expect: { code: 'ERR_JWKS_NO_MATCHING_KEY' },
    },
    wrongKeySameKid: {
      token: await signJwt(as, base, { key: { ...other, kid: asKid } }),
      description: 'signed by another RSA key that claims the real kid',
      expect: { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
    },
    tamperedPayload: {
      token: tampered,
      description: 'a valid token whose payload was edited (admin scope, another sub); signature kept',
      expect: { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
    },
    garbage: {
      token: 'not-a-jwt',
      description: 'not a JWT at all',
      expect: { code: 'ERR_JWS_INVALID' },
    },
    workosSessionToken: {
      token: await signJwt(as, { ...session, iss: 'https://api.workos.com/user_management/client_123', role: 'member', permissions: [] }, { header: { typ: 'JWT' } }),
      description: 'an AuthKit session token look-alike: same signing key, iss https://api.workos.com/user_management/client_123, no aud',
      expect: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' },
    },
  };
  return { valid, forgeries };
}
