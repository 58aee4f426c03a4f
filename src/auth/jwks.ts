import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from '../log.js';
import { AuthError, loadJose } from './verify.js';

/** What a failed JWKS fetch is reported as: once per attempt, so at most once per cooldown. */
export interface JwksFailure {
  uri: string;
  /** `HTTP 500`, `connect ECONNREFUSED …`, `not a JWK Set`, … */
  reason: string;
  /** Seconds until the next attempt. */
  retryAfterSec: number;
  /** What the operator should know besides (e.g. that the workos provider never uses discovery). */
  hint: string | undefined;
}

export interface JwksRegistryOptions {
  /** Milliseconds since the epoch; injectable so tests can move time. Default Date.now. */
  now?: () => number;
  /** After a failed fetch, no new fetch of that URI for this long (ms). Default 30 s, as for unknown kids. */
  failureCooldownMs?: number;
  /** Logged at warn on each failed fetch (so at most once per cooldown per URI). */
  log?: Logger;
  /** Counted on each failed fetch (the sidecar's metrics). */
  onFailure?: (failure: JwksFailure) => void;
}

interface Entry {
  getKey: JWTVerifyGetKey;
  /** When the last fetch failed; undefined once one succeeds. */
  failedAt: number | undefined;
  hint: string | undefined;
}

/**
 * JWKS sets by URI, kept for the life of the process so a reload keeps warm keys. jose refetches on
 * an unknown `kid` at most once per 30 s after a *successful* fetch, and concurrent fetches share one
 * request; a *failed* fetch it does not remember, so while the endpoint is down every token with an
 * unknown kid would trigger a fetch of its own (an amplifier against the authorization server). The
 * fetch jose uses goes through this registry instead: after a failure, no fetch for the cooldown, and
 * every token that needs one is answered at once with `jwks_unavailable` (503 + Retry-After).
 */
export class JwksRegistry {
  private readonly sets = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly cooldownMs: number;

  constructor(private readonly opts: JwksRegistryOptions = {}) {
    this.now = opts.now ?? (() => Date.now());
    this.cooldownMs = opts.failureCooldownMs ?? 30_000;
  }

  /** The key resolver for `uri`; `hint` is added to the log line when a fetch fails (first caller's wins). */
  async get(uri: string, hint?: string): Promise<JWTVerifyGetKey> {
    let entry = this.sets.get(uri);
    if (!entry) {
      const { createRemoteJWKSet, customFetch } = await loadJose();
      entry = this.sets.get(uri);
      if (entry) return entry.getKey;
      const e: Entry = { getKey: undefined as unknown as JWTVerifyGetKey, failedAt: undefined, hint };
      e.getKey = createRemoteJWKSet(new URL(uri), {
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
        timeoutDuration: 5000,
        [customFetch]: (url: string, init: RequestInit) => this.fetchKeys(uri, e, url, init),
      });
      this.sets.set(uri, e);
      entry = e;
    }
    return entry.getKey;
  }

  private async fetchKeys(uri: string, entry: Entry, url: string, init: RequestInit): Promise<Response> {
    const now = this.now();
    if (entry.failedAt !== undefined && now < entry.failedAt + this.cooldownMs) throw unavailable(entry.failedAt + this.cooldownMs - now);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, init);
      text = await res.text();
    } catch (err) {
      throw this.failed(uri, entry, describe(err));
    }
    if (res.status !== 200) throw this.failed(uri, entry, `HTTP ${res.status}`);
    let keys: unknown;
    try {
      keys = (JSON.parse(text) as { keys?: unknown }).keys;
    } catch {
      keys = undefined;
    }
    if (!Array.isArray(keys)) throw this.failed(uri, entry, 'the response is not a JWK Set');
    entry.failedAt = undefined;
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  }

  private failed(uri: string, entry: Entry, reason: string): AuthError {
    entry.failedAt = this.now();
    const failure: JwksFailure = { uri, reason, retryAfterSec: Math.ceil(this.cooldownMs / 1000), hint: entry.hint };
    this.opts.log?.warn(
      { jwksUri: uri, reason, retryAfterSec: failure.retryAfterSec },
      `cannot fetch the issuer's keys from ${uri} (${reason}); tokens that need them are refused with 503 until the next attempt in ${failure.retryAfterSec} s${entry.hint ? `. ${entry.hint}` : ''}`,
    );
    this.opts.onFailure?.(failure);
    return unavailable(this.cooldownMs);
  }
}

function unavailable(ms: number): AuthError {
  return new AuthError('jwks_unavailable', "the authorization server's keys cannot be fetched right now; try again later", { retryAfterSec: Math.max(1, Math.ceil(ms / 1000)) });
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
