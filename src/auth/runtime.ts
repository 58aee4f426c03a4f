import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { AuthConfig } from '../config/types.js';
import type { SpecOAuth } from '../openapi/index.js';
import type { AuthServerMetadata, Discovery } from './discovery.js';
import { checkPolicy, hasScopes, type ScopeRequirement, type UserinfoCache } from './policy.js';
import type { Principal } from './types.js';
import type { JwksRegistry } from './jwks.js';
import { AuthError, createVerifier } from './verify.js';

/** Process-wide auth state that survives reloads: JWKS sets, discovery, verified tokens, userinfo. */
export interface AuthShared {
  jwks: JwksRegistry;
  discovery: Discovery;
  tokens: LRUCache<string, Principal>;
  userinfo: UserinfoCache;
}

export interface Authenticated {
  principal: Principal;
  token: string;
}

/** One server's resource-server behaviour, built once per snapshot. */
export interface AuthRuntime {
  config: AuthConfig;
  /** The canonical resource URI (RFC 8707): what `aud` must be. */
  resource(): string;
  /** Where this resource's RFC 9728 metadata is served. */
  metadataUrl(): string;
  /** Scopes to name in a 401 challenge. */
  challengeScopes: string[];
  /** Bearer token from the Authorization header → verified principal, allowed by the server's policy. */
  authenticate(req: IncomingMessage): Promise<Authenticated>;
  scopesFor(tool: string): ScopeRequirement;
  canCall(principal: Principal, tool: string): boolean;
  /** Headers the upstream gets for this caller (identity claims; the token only if insecureForwardToken). */
  upstreamHeaders(auth: Authenticated): Record<string, string> | undefined;
  /**
   * RFC 9728 metadata. `authorization_servers` names the AS itself, or this sidecar's origin when the
   * AS publishes no metadata and the sidecar serves one built from config or the spec.
   */
  protectedResourceMetadata(): Promise<Record<string, unknown>>;
  /**
   * RFC 8414 metadata served at this origin, only when the sidecar names itself as the authorization
   * server (the AS publishes none; endpoints from config or the spec). Undefined otherwise.
   */
  authorizationServerMetadata(): Promise<AuthServerMetadata | undefined>;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export function buildAuthRuntime(opts: {
  auth: AuthConfig;
  serverPath: string;
  serverTitle: string;
  publicBase: () => string;
  tools: { name: string; operationId: string | undefined; oauthScopes: string[][] }[];
  specOAuth: SpecOAuth | undefined;
  shared: AuthShared;
}): AuthRuntime {
  const { auth, shared } = opts;
  const resource = () => auth.resource ?? `${opts.publicBase()}${opts.serverPath}`;
  const metadataUrl = () => {
    const r = new URL(resource());
    return `${r.origin}/.well-known/oauth-protected-resource${r.pathname === '/' ? '' : r.pathname}`;
  };
  const toolScopes = new Map<string, ScopeRequirement>();
  for (const t of opts.tools) {
    const configured = auth.toolScopes[t.name] ?? (t.operationId ? auth.toolScopes[t.operationId] : undefined);
    toolScopes.set(t.name, configured ? [configured] : auth.specScopes ? t.oauthScopes : []);
  }
  const scopesSupported = auth.scopesSupported ?? [
    ...new Set([...auth.requiredScopes, ...[...toolScopes.values()].flat(2), ...(opts.specOAuth?.scopes ?? [])]),
  ];
  const verify = createVerifier(auth, () => [resource(), ...auth.additionalAudiences], { jwks: shared.jwks, discovery: shared.discovery, cache: shared.tokens });

  const authorizationServerMetadata = async (): Promise<AuthServerMetadata | undefined> => {
    // An AS that publishes its own metadata is named in the protected-resource metadata, and clients
    // read its metadata there: a copy served at this origin would claim another issuer's identity
    // (RFC 8414 §3.3 has clients refuse an issuer that differs from where they fetched it) and go stale.
    if (await shared.discovery.get(auth.issuer)) return undefined;
    const fallback = auth.asMetadata ?? {};
    const meta: AuthServerMetadata = {
      issuer: auth.issuer,
      authorization_endpoint: fallback.authorizationEndpoint ?? opts.specOAuth?.authorizationUrl,
      token_endpoint: fallback.tokenEndpoint ?? opts.specOAuth?.tokenUrl,
      registration_endpoint: fallback.registrationEndpoint,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    };
    if (!auth.dynamicClientRegistration) delete meta.registration_endpoint;
    if (!meta.authorization_endpoint || !meta.token_endpoint) return undefined;
    return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined)) as AuthServerMetadata;
  };

  const hasPolicy = auth.policy.emailDomains.length > 0 || auth.policy.orgIds.length > 0 || Object.keys(auth.policy.claims).length > 0;
  return {
    config: auth,
    resource,
    metadataUrl,
    challengeScopes: auth.requiredScopes.length > 0 ? auth.requiredScopes : scopesSupported,
    async authenticate(req) {
      const header = req.headers.authorization;
      if (header === undefined) {
        if (/[?&]access_token=/.test(req.url ?? '')) throw new AuthError('token_in_query', 'send the access token in the Authorization header, not the query string');
        throw new AuthError('missing_token', 'this MCP server needs an OAuth access token (Authorization: Bearer …)');
      }
      // Two Authorization headers (node keeps the first unless told to join them) or one carrying two
      // comma-joined credentials: RFC 6750 §3.1 invalid_request, not a guess at which one counts.
      if (header.includes(',') || countHeader(req.rawHeaders, 'authorization') > 1) {
        throw new AuthError('multiple_credentials', 'send exactly one Authorization header with one Bearer token');
      }
      const m = BEARER.exec(header);
      if (!m) throw new AuthError('malformed_header', 'the Authorization header must be "Bearer <access token>"');
      const token = m[1]!;
      const principal = await verify(token);
      if (!auth.requiredScopes.every((s) => principal.scopes.has(s))) {
        throw new AuthError('insufficient_scope', `this server needs the scopes: ${auth.requiredScopes.join(' ')}`);
      }
      if (hasPolicy) await checkPolicy(auth, principal, async () => {
        const endpoint = auth.asMetadata?.userinfoEndpoint ?? (await shared.discovery.get(auth.issuer))?.userinfo_endpoint ?? (auth.provider === 'workos' ? `${auth.issuer}/oauth2/userinfo` : undefined);
        return endpoint ? shared.userinfo.claims(endpoint, principal, token) : undefined;
      });
      return { principal, token };
    },
    scopesFor: (tool) => toolScopes.get(tool) ?? [],
    canCall: (principal, tool) => hasScopes(principal, toolScopes.get(tool) ?? []),
    upstreamHeaders({ principal, token }) {
      const out: Record<string, string> = {};
      for (const [header, claim] of Object.entries(auth.identityHeaders)) {
        const v = principal.claims[claim];
        if (v !== undefined && v !== null) out[header] = (typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/[\r\n]/g, ' ');
      }
      if (auth.insecureForwardToken) out.authorization = `Bearer ${token}`;
      return Object.keys(out).length > 0 ? out : undefined;
    },
    protectedResourceMetadata: async () => {
      const published = await shared.discovery.get(auth.issuer);
      return {
        resource: resource(),
        authorization_servers: [published ? auth.issuer : opts.publicBase()],
        scopes_supported: scopesSupported,
        bearer_methods_supported: ['header'],
        resource_name: opts.serverTitle,
        // Not an RFC 9728 parameter: a pre-registered client ID for clients that cannot register (auth.clientId, x-client-id).
        ...(auth.clientId ? { client_id: auth.clientId } : {}),
      };
    },
    authorizationServerMetadata,
  };
}

function countHeader(raw: string[], name: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) n++;
  return n;
}
