/**
 * A headless `OAuthClientProvider` for the MCP SDK client: everything in memory, and
 * `redirectToAuthorization` plays the browser — it GETs the authorization URL with undici, follows the
 * authorization server's redirects (login and consent interactions, cookies carried in a tiny jar) and stops
 * at the redirect to `redirectUrl`, keeping the `code` for `transport.finishAuth(code)` / `auth(…, {authorizationCode})`.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { request } from 'undici';
import { TEST_REDIRECT_URI } from './oidc.js';

/** Cookies by host, with Path and expiry honoured; enough for oidc-provider's interaction cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string; expires: number }>();

  #key(host: string, name: string, path: string): string {
    return `${host}\n${path}\n${name}`;
  }

  /** Stores the Set-Cookie headers of a response to `url`. */
  store(url: URL, setCookie: string | string[] | undefined): void {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let expires = Infinity;
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=', 2).map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        else if (key === 'max-age') expires = Date.now() + Number(v) * 1000;
        else if (key === 'expires' && expires === Infinity) expires = Date.parse(v);
      }
      const id = this.#key(url.host, name, path);
      if (expires <= Date.now()) this.#cookies.delete(id);
      else this.#cookies.set(id, { value, path, expires });
    }
  }

  /** The Cookie header for a request to `url` (undefined when nothing matches). */
  header(url: URL): string | undefined {
    const now = Date.now();
    const pairs: string[] = [];
    for (const [id, c] of this.#cookies) {
      const [host, , name] = id.split('\n');
      if (host !== url.host || c.expires <= now) continue;
      const inPath = url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`);
      if (inPath) pairs.push(`${name}=${c.value}`);
    }
    return pairs.length ? pairs.join('; ') : undefined;
  }

  get size(): number {
    return this.#cookies.size;
  }
}

/** What the authorization server sent back to the redirect URI. */
export interface AuthorizationResponse {
  code?: string;
  state?: string;
  /** RFC 9207 `iss`, which oidc-provider always adds. */
  iss?: string;
  error?: string;
  errorDescription?: string;
  /** Every URL the headless browser visited, in order (the authorization URL first, the redirect URI last). */
  trail: URL[];
}

export class AuthorizationFailedError extends Error {
  constructor(
    message: string,
    readonly response: AuthorizationResponse,
  ) {
    super(message);
    this.name = 'AuthorizationFailedError';
  }
}

export interface HeadlessOAuthClientOptions {
  /** Default TEST_REDIRECT_URI (nothing listens there, and nothing needs to). */
  redirectUrl?: string;
  /**
   * Pre-registered mode: `clientInformation()` returns `{client_id}` and the SDK never registers.
   * Without it the SDK registers the client via DCR (the metadata below) and this stores the answer.
   */
  clientId?: string;
  /** The AS a pre-registered client_id belongs to (stamped as `issuer`, so the SDK won't present it elsewhere). */
  issuer?: string;
  /** Merged over the defaults (public client, token_endpoint_auth_method none, authorization_code + refresh_token). */
  clientMetadata?: Partial<OAuthClientMetadata>;
  /** Sent as `login_hint`: the test AS signs this account in instead of its default user. */
  loginHint?: string;
  /** Extra query parameters appended to the authorization URL (e.g. `prompt`). */
  extraAuthorizationParams?: Record<string, string>;
  /** Safety net for redirect loops. Default 10. */
  maxRedirects?: number;
}

/**
 * In-memory, headless OAuthClientProvider. After `redirectToAuthorization` has run (the SDK calls it when
 * it needs a login), `authorizationCode` holds the code; `transport.finishAuth(client.authorizationCode!)`.
 */
export class HeadlessOAuthClient implements OAuthClientProvider {
  readonly jar = new CookieJar();
  readonly #options: HeadlessOAuthClientOptions;
  readonly #redirectUrl: string;
  readonly #state = randomBytes(16).toString('base64url');
  #clientInformation: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #codeVerifier: string | undefined;
  /** The code from the last completed authorization (undefined until then, or after an error). */
  authorizationCode: string | undefined;
  /** The last authorization URL the SDK asked to open (with scope, resource, code_challenge…). */
  lastAuthorizationUrl: URL | undefined;
  /** The last authorization response captured at the redirect URI. */
  lastAuthorizationResponse: AuthorizationResponse | undefined;
  /** How many times the SDK asked for a browser login; how often it registered; what it invalidated. */
  redirectCount = 0;
  registrationCount = 0;
  readonly invalidations: string[] = [];

  constructor(options: HeadlessOAuthClientOptions = {}) {
    this.#options = options;
    this.#redirectUrl = options.redirectUrl ?? TEST_REDIRECT_URI;
    if (options.clientId !== undefined) {
      this.#clientInformation = { client_id: options.clientId, ...(options.issuer ? { issuer: options.issuer } : {}) };
    }
  }

  get redirectUrl(): string {
    return this.#redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcp-sidecar test client',
      redirect_uris: [this.#redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...this.#options.clientMetadata,
    };
  }

  state(): string {
    return this.#state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#clientInformation;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    if (this.#clientInformation?.client_id !== info.client_id) this.registrationCount += 1;
    this.#clientInformation = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.#codeVerifier === undefined) throw new Error('no PKCE code verifier saved');
    return this.#codeVerifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    this.invalidations.push(scope);
    if (scope === 'all' || scope === 'client') this.#clientInformation = this.#options.clientId === undefined ? undefined : { client_id: this.#options.clientId };
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.#codeVerifier = undefined;
  }

  /** Plays the browser: follows the AS's redirects until it points at redirectUrl, then keeps the code. */
  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.redirectCount += 1;
    this.authorizationCode = undefined;
    const url = new URL(authorizationUrl);
    if (this.#options.loginHint !== undefined) url.searchParams.set('login_hint', this.#options.loginHint);
    for (const [k, v] of Object.entries(this.#options.extraAuthorizationParams ?? {})) url.searchParams.set(k, v);
    this.lastAuthorizationUrl = url;
    const response = await this.followToRedirectUri(url);
    this.lastAuthorizationResponse = response;
    if (response.error !== undefined) {
      throw new AuthorizationFailedError(`authorization failed: ${response.error}${response.errorDescription ? ` (${response.errorDescription})` : ''}`, response);
    }
    if (response.state !== this.#state) throw new AuthorizationFailedError('authorization response state does not match', response);
    if (response.code === undefined) throw new AuthorizationFailedError('authorization response has no code', response);
    this.authorizationCode = response.code;
  }

  /** GETs `start` and follows Location headers (carrying cookies) until one points at the redirect URI. */
  async followToRedirectUri(start: URL): Promise<AuthorizationResponse> {
    const target = new URL(this.#redirectUrl);
    const trail: URL[] = [];
    let url = start;
    for (let hop = 0; hop <= (this.#options.maxRedirects ?? 10); hop += 1) {
      trail.push(url);
      if (url.origin === target.origin && url.pathname === target.pathname) {
        const p = url.searchParams;
        const opt = (k: string) => p.get(k) ?? undefined;
        return { code: opt('code'), state: opt('state'), iss: opt('iss'), error: opt('error'), errorDescription: opt('error_description'), trail };
      }
      const cookie = this.jar.header(url);
      const res = await request(url, { method: 'GET', headers: cookie ? { cookie } : {} });
      this.jar.store(url, res.headers['set-cookie']);
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
        await res.body.dump();
        url = new URL(location, url);
        continue;
      }
      const body = (await res.body.text()).slice(0, 500);
      throw new AuthorizationFailedError(`authorization stopped at ${url.origin}${url.pathname} with HTTP ${res.statusCode}: ${body}`, { trail });
    }
    throw new AuthorizationFailedError(`more than ${this.#options.maxRedirects ?? 10} redirects`, { trail });
  }
}
