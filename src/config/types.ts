import type { SpecSource } from './spec-source.js';
/** Shapes as the user writes them (validated by schemas/config.schema.json). */
export interface RawFilter {
  operations?: string[];
  tags?: string[];
  methods?: string[];
  paths?: string[];
}

export interface RawToolOverride {
  name?: string;
  title?: string;
  description?: string;
  annotations?: ToolAnnotationsConfig;
  /** Response shaping for this tool (see tools.maxResultTokens, tools.projection). */
  maxResultTokens?: number;
  projection?: boolean;
}

export interface ToolAnnotationsConfig {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface RawCors {
  allowedOrigins?: string[];
  allowedMethods?: string[];
  allowedHeaders?: string[];
  exposedHeaders?: string[];
  allowCredentials?: boolean;
  maxAge?: string | number;
}

export interface RawAuth {
  provider: 'workos' | 'oidc';
  issuer: string;
  jwksUri?: string;
  resource?: string;
  additionalAudiences?: string[];
  algorithms?: string[];
  clockTolerance?: string | number;
  scopesClaim?: string;
  scopesSupported?: string[];
  requiredScopes?: string[];
  toolScopes?: Record<string, string[]>;
  specScopes?: boolean;
  policy?: { emailDomains?: string[]; orgIds?: string[]; claims?: Record<string, unknown> };
  userinfo?: boolean;
  identityHeaders?: Record<string, string>;
  insecureForwardToken?: boolean;
  clientId?: string;
  dynamicClientRegistration?: boolean;
  authorizationServerMetadata?: { authorizationEndpoint?: string; tokenEndpoint?: string; registrationEndpoint?: string; userinfoEndpoint?: string };
}

export interface RawServer {
  name?: string;
  auth?: RawAuth;
  cors?: RawCors;
  path?: string;
  spec: string;
  overlays?: string[];
  title?: string;
  instructions?: string;
  refHosts?: string[];
  sessions?: 'stateless' | 'stateful';
  upstream?: {
    baseUrl?: string;
    timeout?: string | number;
    connectTimeout?: string | number;
    maxResponseSize?: string | number;
    maxConnections?: number;
    headers?: Record<string, string>;
  };
  tools?: {
    include?: RawFilter;
    exclude?: RawFilter;
    maxNameLength?: number;
    outputSchema?: boolean;
    maxOutputSchemaSize?: string | number;
    cacheTtl?: string | number;
    overrides?: Record<string, RawToolOverride>;
    schemaProfile?: SchemaProfileName | 'auto';
    clientProfiles?: Record<string, SchemaProfileName>;
    maxResultTokens?: number;
    projection?: boolean;
    mode?: ToolsMode;
    budget?: number;
    pinned?: string[];
  };
}

/** flat: every operation is a tool; search: meta-tools find them; auto: search past tools.budget. */
export type ToolsMode = 'auto' | 'flat' | 'search';

export interface RawConfig {
  listen?: { host?: string; port?: number };
  publicUrl?: string;
  logging?: { level?: LogLevel; format?: 'json' | 'pretty'; accessLog?: boolean };
  limits?: {
    maxRequestBody?: string | number;
    maxConcurrentUpstream?: number;
    shutdownGrace?: string | number;
    headersTimeout?: string | number;
    requestTimeout?: string | number;
    keepAliveTimeout?: string | number;
    maxConnections?: number;
  };
  allowedHosts?: string[];
  cors?: RawCors;
  reload?: { watch?: boolean; debounce?: string | number; specRefreshInterval?: string | number };
  metrics?: { enabled?: boolean };
  audit?: { enabled?: boolean; file?: string };
  servers: RawServer[];
}

/** Schema dialects a server can publish its tools in (src/openapi/profiles). */
export type SchemaProfileName = 'full' | 'portable' | 'gemini' | 'openai-strict';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The compiled configuration: defaults applied, units parsed, paths resolved. */
export interface Config {
  /** Absolute path of the config file ('' when built in memory). */
  file: string;
  listen: { host: string; port: number };
  publicUrl: string | undefined;
  logging: { level: LogLevel; format: 'json' | 'pretty'; accessLog: boolean };
  limits: {
    maxRequestBody: number;
    maxConcurrentUpstream: number;
    shutdownGraceMs: number;
    /** Client request timeouts of the HTTP server (0: off); headersTimeoutMs ≤ requestTimeoutMs when both are on. */
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Client connections open at once. */
    maxConnections: number;
  };
  /** Host header patterns accepted; undefined: any (non-loopback bind with none configured). */
  allowedHosts: string[] | undefined;
  reload: { watch: boolean; debounceMs: number; specRefreshMs: number };
  metrics: { enabled: boolean };
  audit: { enabled: boolean; file: string | undefined };
  servers: ServerConfig[];
}

export interface ServerConfig {
  name: string;
  path: string;
  /** A local file (absolute path) or an http(s) URL. */
  spec: SpecSource;
  /** Absolute paths of files layered onto the spec, in order (Overlays, HAPI security files, partial specs). */
  overlays: string[];
  /**
   * Take OAuth and CORS from the (layered) spec when this server has no `auth` / `cors` of its own,
   * as HAPI does: set for `serve <spec>` without a config file; a config file says them itself.
   */
  specSecurity: boolean;
  /** Where `spec` is written in the config file, to point spec errors at it. */
  specAt: { file?: string; line?: number; column?: number; path?: string };
  /** Where a key of this server (path relative to it) is written, for problems found after loading. */
  keyAt?: (segments: (string | number)[]) => { file?: string; line?: number; column?: number; path?: string };
  title: string | undefined;
  instructions: string | undefined;
  refHosts: string[];
  sessions: 'stateless' | 'stateful';
  cors: CorsConfig | undefined;
  auth: AuthConfig | undefined;
  upstream: UpstreamConfig;
  tools: {
    include: RawFilter | undefined;
    exclude: RawFilter | undefined;
    maxNameLength: number;
    outputSchema: boolean;
    /** Bytes of JSON; 0: no limit. */
    maxOutputSchemaBytes: number;
    /** ttlMs of tools/list and server/discover for 2026-07-28 clients. */
    cacheTtlMs: number;
    overrides: Record<string, RawToolOverride>;
    /** The tool schemas' dialect (see docs/config.md); `auto` picks one per client. */
    schemaProfile: SchemaProfileName | 'auto';
    /** For `auto`: client-name globs → profile, checked before the built-in table. */
    clientProfiles: Record<string, SchemaProfileName>;
    /** Results longer than this (≈ 4 characters of JSON a token) are cut; 0: never. */
    maxResultTokens: number;
    /** Offer a `fields` argument on tools with JSON responses. */
    projection: boolean;
    mode: ToolsMode;
    /** Tokens of flat tools/list past which mode auto serves search. */
    budget: number;
    /** Tool names, operationIds or globs listed beside the meta-tools in search mode. */
    pinned: string[];
  };
}

export interface UpstreamConfig {
  baseUrl: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  maxConnections: number;
  headers: Record<string, string>;
}

export interface CorsConfig {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  allowCredentials: boolean;
  maxAgeSeconds: number;
}

export interface AuthConfig {
  provider: 'workos' | 'oidc';
  issuer: string;
  jwksUri: string | undefined;
  /** Explicit resource URI; else publicUrl (or the bound address) + the server path. */
  resource: string | undefined;
  additionalAudiences: string[];
  algorithms: string[];
  clockToleranceSec: number;
  scopesClaim: string;
  scopesSupported: string[] | undefined;
  requiredScopes: string[];
  toolScopes: Record<string, string[]>;
  specScopes: boolean;
  policy: { emailDomains: string[]; orgIds: string[]; claims: Record<string, unknown> };
  userinfo: boolean;
  identityHeaders: Record<string, string>;
  insecureForwardToken: boolean;
  clientId: string | undefined;
  dynamicClientRegistration: boolean;
  asMetadata: RawAuth['authorizationServerMetadata'];
  /** Set when this auth was derived from the spec's oauth2 scheme rather than written in a config. */
  fromSpec?: { scheme: string };
}
