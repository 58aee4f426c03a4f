/**
 * A real OAuth 2.1 / OpenID Connect authorization server for tests: `oidc-provider` on 127.0.0.1:0,
 * configured like WorkOS AuthKit's MCP support (open Dynamic Client Registration, authorization code + PKCE
 * S256 only, client_credentials, RFC 8707 resource indicators → RS256 JWT access tokens whose `aud` is the
 * requested resource, AuthKit-style `org_id`/`sid` claims, AuthKit-style `/oauth2/*` endpoint paths).
 *
 * Logins are headless: GET /interaction/:uid logs in the configured user (or a known `login_hint`) and grants
 * whatever was asked, so an authorization request redirects straight back to the client with a code.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { request } from 'undici';

/** A redirect URI that nothing listens on: the headless client stops at it and reads the code. */
export const TEST_REDIRECT_URI = 'http://127.0.0.1/oauth/callback';
export const DEFAULT_SCOPES = ['tools:read', 'tools:call', 'admin'] as const;
export const DEFAULT_ACCOUNT_ID = 'user_01TESTUSER';
export const DEFAULT_ORG_ID = 'org_01TESTORG';
export const DEFAULT_PUBLIC_CLIENT_ID = 'client_01PUBLIC';
export const DEFAULT_SERVICE_CLIENT_ID = 'client_01SERVICE';

export interface TestAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
  /** Extra claims put into this user's access tokens (override the defaults, e.g. another `org_id`). */
  tokenClaims?: Record<string, unknown>;
}

export interface TestServiceClient {
  clientId: string;
  /** Default: random. */
  clientSecret?: string;
  /** Extra claims put into this client's client_credentials tokens. */
  tokenClaims?: Record<string, unknown>;
}

export interface AuthServerOptions {
  /** Resource scopes the AS knows and puts into access tokens (array or space-separated). Default tools:read tools:call admin. */
  scopes?: readonly string[] | string;
  /** sub → account. Default: one user, DEFAULT_ACCOUNT_ID (ada@example.com). */
  accounts?: Record<string, TestAccount>;
  /** The user a headless login signs in as, unless the request has a known `login_hint`. Default: first account. */
  defaultAccountId?: string;
  /** `org_id` claim of every access token (AuthKit). Default DEFAULT_ORG_ID; `null` leaves it out. */
  orgId?: string | null;
  /** Pre-registered public client (token_endpoint_auth_method none, PKCE). */
  publicClient?: { clientId?: string; redirectUris?: string[] };
  /** Pre-registered confidential clients for client_credentials. Default one, DEFAULT_SERVICE_CLIENT_ID. */
  serviceClients?: TestServiceClient[];
  /** Accepted resource indicators; default: any absolute http(s) URI. Others get `invalid_target`. */
  resources?: string[];
  /** Access token lifetime in seconds. Default 300 (AuthKit's 5 minutes). */
  accessTokenTtl?: number;
  /** RS256 private JWK to sign with (needs `kid`); default a fresh 2048-bit key. */
  signingKey?: JWK;
}

export interface AuthServer {
  /** http://127.0.0.1:PORT — no trailing slash; equals the `iss` of every token. */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  registrationEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string;
  /** RFC 8414 and OpenID discovery URLs (both served by oidc-provider itself). */
  metadataUrl: string;
  openidConfigurationUrl: string;
  /** The signing key: private (for tokens.ts forgeries), public (what the JWKS serves). */
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
  scopes: string[];
  accounts: Record<string, TestAccount>;
  defaultAccountId: string;
  publicClient: { clientId: string; redirectUris: string[] };
  serviceClients: Required<Pick<TestServiceClient, 'clientId' | 'clientSecret'>>[];
  /** A real access token via the client_credentials grant (a service client, default the first). */
  mintToken(opts: MintTokenOptions): Promise<string>;
  /** The full token endpoint response of the same grant (status + JSON), for negative tests. */
  requestClientCredentials(opts: MintTokenOptions): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Errors oidc-provider reported (server_error and friends), for debugging a failing test. */
  errors: Error[];
  close(): Promise<void>;
}

export interface MintTokenOptions {
  resource: string;
  /** Space-separated; default all scopes. Only scopes of the resource server end up in the token. */
  scope?: string;
  clientId?: string;
}

// -- the slice of oidc-provider's API used here (the package ships no types) --
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface InteractionDetails {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId: string };
  grantId?: string;
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: { new (init: { accountId: string; clientId: string }): OidcGrant; find(id: string): Promise<OidcGrant | undefined> };
  on(event: string, listener: (...args: unknown[]) => void): void;
}
interface OidcModule {
  default: new (issuer: string, config: object) => OidcProvider;
  errors: { InvalidTarget: new (message?: string) => Error };
}
/** The token model handed to extraTokenClaims (AccessToken or ClientCredentials). */
interface TokenModel {
  kind: string;
  accountId?: string;
  clientId: string;
  sid?: string;
  sessionUid?: string;
}

/**
 * oidc-provider prints notices on import (Node 20 is below its supported LTS) and on construction
 * (in-memory adapter, dev defaults); this runs `fn` with those lines filtered out of the console.
 */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, info } = console;
  const filter = (orig: (...a: unknown[]) => void) => (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider ')) return;
    orig.apply(console, args);
  };
  console.warn = filter(warn);
  console.info = filter(info);
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

let modulePromise: Promise<OidcModule> | undefined;
function loadOidcProvider(): Promise<OidcModule> {
  const specifier = 'oidc-provider'; // a variable: the package has no type declarations
  modulePromise ??= quietly(() => import(specifier) as Promise<OidcModule>);
  return modulePromise;
}

/** A fresh RS256 signing key as a private JWK with kid (its thumbprint), alg and use. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

/** The public half of an RSA JWK. */
export function publicJwkOf(jwk: JWK): JWK {
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the authorization server on 127.0.0.1:0. Call `close()` (e.g. in t.teardown). */
export async function startAuthServer(opts: AuthServerOptions = {}): Promise<AuthServer> {
  const scopes = typeof opts.scopes === 'string' ? opts.scopes.split(' ').filter(Boolean) : [...(opts.scopes ?? DEFAULT_SCOPES)];
  const accounts = opts.accounts ?? { [DEFAULT_ACCOUNT_ID]: { email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' } };
  const defaultAccountId = opts.defaultAccountId ?? Object.keys(accounts)[0];
  if (defaultAccountId === undefined || !(defaultAccountId in accounts)) throw new Error('startAuthServer: defaultAccountId must name one of the accounts');
  const orgId = opts.orgId === undefined ? DEFAULT_ORG_ID : opts.orgId;
  const publicClient = {
    clientId: opts.publicClient?.clientId ?? DEFAULT_PUBLIC_CLIENT_ID,
    redirectUris: opts.publicClient?.redirectUris ?? [TEST_REDIRECT_URI],
  };
  const serviceClients = (opts.serviceClients ?? [{ clientId: DEFAULT_SERVICE_CLIENT_ID }]).map((c) => ({
    clientId: c.clientId,
    clientSecret: c.clientSecret ?? randomBytes(24).toString('base64url'),
    tokenClaims: c.tokenClaims,
  }));
  const ttl = opts.accessTokenTtl ?? 300;
  const privateJwk = opts.signingKey ?? (await generateSigningKey());
  if (typeof privateJwk.kid !== 'string') throw new Error('startAuthServer: signingKey needs a kid');
  const publicJwk = publicJwkOf(privateJwk);

  const { default: Provider, errors: oidcErrors } = await loadOidcProvider();

  // The issuer must be known before the provider exists, so listen first and dispatch later.
  let dispatch: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => dispatch(req, res));
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;

  const configuration = {
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: publicClient.clientId,
        client_name: 'Pre-registered public MCP client',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: publicClient.redirectUris,
      },
      ...serviceClients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        client_name: 'Pre-registered service client',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    // Every scope must be a "supported" scope, or DCR rejects clients registering with `scope`.
    scopes: ['openid', 'offline_access', ...scopes],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], sid: null, auth_time: null, iss: null, acr: null },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // At the token endpoint the request's `resource` wins; without one, a request without `openid` uses the
        // granted resource (→ JWT) and an `openid` one gets an audience-less opaque token for userinfo.
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          const url = URL.parse(resource);
          const allowed = opts.resources ? opts.resources.includes(resource) : url?.protocol === 'http:' || url?.protocol === 'https:';
          if (!allowed) throw new oidcErrors.InvalidTarget();
          // No `audience` → aud = the resource indicator itself; accessTokenFormat jwt → signed with the RS256 key.
          return { scope: scopes.join(' '), accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    pkce: { required: () => true },
    responseTypes: ['code'],
    routes: {
      authorization: '/oauth2/authorize',
      token: '/oauth2/token',
      registration: '/oauth2/register',
      jwks: '/oauth2/jwks',
      userinfo: '/oauth2/userinfo',
      revocation: '/oauth2/revoke',
      end_session: '/oauth2/logout',
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86_400,
    },
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    clientBasedCORS: () => true,
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: account.email_verified ?? true, name: account.name }),
      };
    },
    async extraTokenClaims(_ctx: unknown, token: TokenModel) {
      const base: Record<string, unknown> = orgId === null ? {} : { org_id: orgId };
      if (token.accountId !== undefined) {
        const sid = token.sid ?? token.sessionUid;
        return { ...base, ...(sid ? { sid } : {}), ...accounts[token.accountId]?.tokenClaims };
      }
      return { ...base, ...serviceClients.find((c) => c.clientId === token.clientId)?.tokenClaims };
    },
    // Errors as JSON rather than an HTML page, so a failing headless flow says why.
    async renderError(ctx: { type: string; body: unknown }, out: Record<string, string>) {
      ctx.type = 'json';
      ctx.body = out;
    },
  };

  let provider: OidcProvider;
  try {
    provider = await quietly(async () => new Provider(issuer, configuration));
  } catch (err) {
    server.close();
    throw err;
  }
  const errors: Error[] = [];
  provider.on('server_error', (_ctx, err) => errors.push(err as Error));

  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        const hint = details.params.login_hint;
        const accountId = typeof hint === 'string' && hint in accounts ? hint : defaultAccountId;
        await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
        return;
      }
      if (details.prompt.name === 'consent') {
        const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session?.accountId ?? defaultAccountId, clientId: String(details.params.client_id) });
        if (!grant) throw new Error('grant not found');
        if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
        if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
        for (const [indicator, granted] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, granted.join(' '));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return;
      }
      throw new Error(`unexpected prompt ${details.prompt.name}`);
    } catch (err) {
      errors.push(err as Error);
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'interaction_failed', error_description: (err as Error).message }));
    }
  };

  const koa = provider.callback();
  dispatch = (req, res) => {
    if (req.method === 'GET' && /^\/interaction\/[^/?]+(\?.*)?$/.test(req.url ?? '')) {
      void interaction(req, res);
      return;
    }
    koa(req, res);
  };

  const requestClientCredentials = async (mint: MintTokenOptions) => {
    const client = mint.clientId === undefined ? serviceClients[0] : serviceClients.find((c) => c.clientId === mint.clientId);
    if (!client) throw new Error(`mintToken: no service client ${mint.clientId ?? '(none configured)'}`);
    const form = new URLSearchParams({ grant_type: 'client_credentials', resource: mint.resource, scope: mint.scope ?? scopes.join(' ') });
    const res = await request(`${issuer}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
      },
      body: form.toString(),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  let closed: Promise<void> | undefined;
  return {
    issuer,
    authorizationEndpoint: `${issuer}/oauth2/authorize`,
    tokenEndpoint: `${issuer}/oauth2/token`,
    registrationEndpoint: `${issuer}/oauth2/register`,
    jwksUri: `${issuer}/oauth2/jwks`,
    userinfoEndpoint: `${issuer}/oauth2/userinfo`,
    metadataUrl: `${issuer}/.well-known/oauth-authorization-server`,
    openidConfigurationUrl: `${issuer}/.well-known/openid-configuration`,
    privateJwk,
    publicJwk,
    kid: privateJwk.kid,
    scopes,
    accounts,
    defaultAccountId,
    publicClient,
    serviceClients: serviceClients.map(({ clientId, clientSecret }) => ({ clientId, clientSecret })),
    requestClientCredentials,
    async mintToken(mint) {
      const { status, body } = await requestClientCredentials(mint);
      if (status !== 200 || typeof body.access_token !== 'string') throw new Error(`mintToken: token endpoint answered ${status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    errors,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
