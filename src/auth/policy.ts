import { LRUCache } from 'lru-cache';
import type { AuthConfig } from '../config/types.js';
import { AuthError } from './verify.js';
import type { Principal } from './types.js';
import { undici } from '../util/undici.js';

/** Scope alternatives a tool needs: any one inner list, all of its scopes. Empty: none needed. */
export type ScopeRequirement = string[][];

export function hasScopes(principal: Principal, need: ScopeRequirement): boolean {
  return need.length === 0 || need.some((all) => all.every((s) => principal.scopes.has(s)));
}

/** Scopes to ask for in a step-up challenge: the first alternative, plus what the server requires. */
export function challengeScopes(need: ScopeRequirement, required: string[]): string[] {
  return [...new Set([...required, ...(need[0] ?? [])])];
}

/** Userinfo responses per issuer + sub, for claims access tokens do not carry (AuthKit has no email). */
export class UserinfoCache {
  private readonly cache = new LRUCache<string, Record<string, unknown>>({ max: 10_000, ttl: 300_000 });

  async claims(endpoint: string, principal: Principal, token: string): Promise<Record<string, unknown>> {
    const key = `${endpoint}\0${principal.sub}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const res = await undici().request(endpoint, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new AuthError('policy_denied', `could not look up the user's claims at userinfo (HTTP ${res.statusCode})`);
    }
    const claims = (await res.body.json()) as Record<string, unknown>;
    this.cache.set(key, claims);
    return claims;
  }
}

/**
 * The claims policy: allowed email domains, allowed org_ids, required claim values. A claim the
 * token lacks is looked up at userinfo (when allowed and known). Throws `policy_denied`.
 */
export async function checkPolicy(
  auth: AuthConfig,
  principal: Principal,
  lookup: () => Promise<Record<string, unknown> | undefined>,
): Promise<void> {
  const { emailDomains, orgIds, claims } = auth.policy;
  if (emailDomains.length === 0 && orgIds.length === 0 && Object.keys(claims).length === 0) return;
  let extra: Record<string, unknown> | undefined;
  const claim = async (name: string): Promise<unknown> => {
    if (principal.claims[name] !== undefined) return principal.claims[name];
    if (!auth.userinfo) return undefined;
    extra ??= (await lookup()) ?? {};
    return extra[name];
  };
  if (orgIds.length > 0 && !orgIds.includes(String(await claim('org_id')))) {
    throw new AuthError('policy_denied', 'your organization is not allowed to use this server');
  }
  if (emailDomains.length > 0) {
    const email = await claim('email');
    const domain = typeof email === 'string' ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : undefined;
    if (!domain || !emailDomains.includes(domain)) throw new AuthError('policy_denied', 'your email domain is not allowed to use this server');
  }
  for (const [name, want] of Object.entries(claims)) {
    const have = await claim(name);
    const ok = Array.isArray(want) ? want.some((w) => matches(have, w)) : matches(have, want);
    if (!ok) throw new AuthError('policy_denied', `the claim ${name} does not have an allowed value`);
  }
}

function matches(have: unknown, want: unknown): boolean {
  if (Array.isArray(have)) return have.some((h) => matches(h, want));
  return have === want || (typeof want !== 'object' && String(have) === String(want));
}
