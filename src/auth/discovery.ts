import { LRUCache } from 'lru-cache';
import { undici } from '../util/undici.js';

export interface AuthServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  registration_endpoint?: string;
  userinfo_endpoint?: string;
  jwks_uri?: string;
  [key: string]: unknown;
}

/**
 * RFC 8414 / OpenID discovery, cached per issuer for an hour (failures for a minute), shared across
 * reloads. Tries `/.well-known/oauth-authorization-server` with the issuer path inserted (RFC 8414 §3),
 * then OpenID Connect's `<issuer>/.well-known/openid-configuration`.
 */
export class Discovery {
  private readonly cache = new LRUCache<string, { value: AuthServerMetadata | undefined }>({ max: 64, ttl: 3_600_000 });
  private readonly inflight = new Map<string, Promise<AuthServerMetadata | undefined>>();

  async get(issuer: string): Promise<AuthServerMetadata | undefined> {
    const hit = this.cache.get(issuer);
    if (hit) return hit.value;
    let p = this.inflight.get(issuer);
    if (!p) {
      p = discover(issuer).finally(() => this.inflight.delete(issuer));
      this.inflight.set(issuer, p);
      void p.then((value) => this.cache.set(issuer, { value }, { ttl: value ? 3_600_000 : 60_000 }));
    }
    return p;
  }
}

export function discoveryUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/+$/, '');
  return [
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
    `${u.origin}${path}/.well-known/openid-configuration`,
    `${u.origin}/.well-known/openid-configuration${path}`,
  ];
}

async function discover(issuer: string): Promise<AuthServerMetadata | undefined> {
  for (const url of [...new Set(discoveryUrls(issuer))]) {
    try {
      const res = await undici().request(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
      if (res.statusCode !== 200) {
        await res.body.dump();
        continue;
      }
      const doc = (await res.body.json()) as AuthServerMetadata;
      if (doc && typeof doc.issuer === 'string') return doc;
    } catch {
      // try the next location
    }
  }
  return undefined;
}
