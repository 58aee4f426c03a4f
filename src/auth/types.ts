import type { JWTPayload } from 'jose';

/** Who is calling: the verified token's claims, plus claims looked up at userinfo. */
export interface Principal {
  sub: string;
  clientId: string | undefined;
  orgId: string | undefined;
  scopes: Set<string>;
  claims: JWTPayload & Record<string, unknown>;
  /** Expiry (seconds since the epoch), for the verified-token cache. */
  exp: number;
}

/** Why a request was refused, for the challenge, the audit log and metrics. */
export type AuthFailureReason =
  | 'missing_token'
  | 'malformed_header'
  | 'multiple_credentials'
  | 'token_in_query'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_signature'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'session_token'
  | 'jwks_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'policy_denied';
