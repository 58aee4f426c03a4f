import { compileAuthBlock } from '../config/load.js';
import type { AuthConfig } from '../config/types.js';
import { AppError } from '../errors.js';
import type { SpecOAuth } from '../openapi/index.js';
import type { Discovery } from './discovery.js';

/** WorkOS AuthKit domains: the issuer is the domain itself (tokens' iss has no trailing slash). */
const AUTHKIT = /^[a-z0-9-]+\.authkit\.app$/i;

/**
 * The spec's oauth2 scheme → this server's `auth`, as if a config had said it (HAPI's "secured from the
 * spec"): the authorization server's issuer is found from the scheme's URLs — an AuthKit domain is its
 * own issuer; otherwise HAPI's `well-known` URL, then each URL's origin and path prefixes, are tried
 * with RFC 8414 / OpenID discovery, and the first whose metadata names that issuer and the scheme's
 * endpoints (or their origin) wins. Throws CONFIG_INVALID when none is found: a spec that asks for
 * OAuth is never served without it.
 */
export async function resolveSpecAuth(oauth: SpecOAuth, discovery: Discovery): Promise<AuthConfig> {
  const urls = [oauth.wellKnown, oauth.tokenUrl, oauth.authorizationUrl].flatMap((u) => (u && URL.canParse(u) ? [new URL(u)] : []));
  const from = { scheme: oauth.scheme };
  const authkit = urls.find((u) => AUTHKIT.test(u.hostname));
  if (authkit) return build('workos', `https://${authkit.hostname}`, oauth, from);
  const tried = candidateIssuers(urls);
  // Asked all at once: an unreachable host costs one discovery timeout, not one per candidate.
  const found = await Promise.all(tried.map((issuer) => discovery.get(issuer)));
  for (const [i, issuer] of tried.entries()) {
    const meta = found[i];
    if (!meta || trim(meta.issuer) !== trim(issuer)) continue;
    const endpoints = [meta.authorization_endpoint, meta.token_endpoint].filter((e): e is string => typeof e === 'string');
    const sameServer = urls.some((u) => u.href === oauth.wellKnown || endpoints.some((e) => sameEndpoint(e, u) || parseUrl(e)?.origin === u.origin));
    if (!sameServer) continue;
    return build(AUTHKIT.test(new URL(meta.issuer).hostname) ? 'workos' : 'oidc', meta.issuer, oauth, from);
  }
  throw new AppError(
    'CONFIG_INVALID',
    `the spec's oauth2 scheme "${oauth.scheme}" secures this server, but no authorization server metadata was found from its URLs ` +
      `(tried the issuers ${tried.join(', ') || '(none: the scheme has no absolute URLs)'}); serve it with a config file whose auth block names the issuer`,
  );
}

function build(provider: 'workos' | 'oidc', issuer: string, oauth: SpecOAuth, fromSpec: { scheme: string }): AuthConfig {
  return { ...compileAuthBlock({ provider, issuer, ...(oauth.clientId ? { clientId: oauth.clientId } : {}) }), fromSpec };
}

/**
 * Issuers to try, most specific first: from a well-known URL, the issuer it names (RFC 8414 §3 and
 * OpenID's two forms); from an endpoint, its origin plus each prefix of its path.
 */
export function candidateIssuers(urls: readonly URL[]): string[] {
  const out: string[] = [];
  for (const u of urls) {
    const p = u.pathname.replace(/\/+$/, '');
    const wk = /^(.*?)\/\.well-known\/(?:oauth-authorization-server|openid-configuration)(.*)$/.exec(p);
    if (wk) {
      out.push(u.origin + (wk[2] || wk[1] || ''));
      continue;
    }
    const parts = p.split('/').filter(Boolean);
    for (let n = parts.length - 1; n >= 0; n--) out.push(`${u.origin}${n > 0 ? `/${parts.slice(0, n).join('/')}` : ''}`);
  }
  return [...new Set(out)];
}

function sameEndpoint(endpoint: string, u: URL): boolean {
  const e = parseUrl(endpoint);
  return e !== null && e.origin === u.origin && trim(e.pathname) === trim(u.pathname);
}

function trim(s: string): string {
  return s.replace(/\/+$/, '');
}

/** URL.parse is Node 22+. */
function parseUrl(s: string): URL | null {
  return URL.canParse(s) ? new URL(s) : null;
}
