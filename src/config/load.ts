import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from '../util/yaml.js';
import { AppError, type Problem } from '../errors.js';
import { hashContent } from '../runtime/fingerprint.js';
import { parseDuration, parseSize } from '../util/units.js';
import { expandEnvInDocument } from './env.js';
import type { AuthConfig, Config, CorsConfig, RawAuth, RawConfig, RawCors, RawServer, ServerConfig } from './types.js';
import { parseSpecSource } from './spec-source.js';
import { checkConfigShape, formatKeyPath, locate } from './validate.js';

export interface LoadedConfig {
  config: Config;
  /** Hash of the file's text, to skip reloads when nothing changed. */
  hash: string;
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `cannot read config file ${abs}: ${(err as Error).message}`, { cause: err });
  }
  return { config: parseConfig(text, abs, env), hash: hashContent(text) };
}

/** YAML text → validated, compiled Config. Every problem is reported at once, with its location. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  // Without prettyErrors the parser leaves linePos unset; the offset in `pos` is always there.
  const problems: Problem[] = doc.errors.map((e) => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { file, line, column: col, message: `YAML: ${e.message.split('\n')[0]}` };
  });
  if (problems.length === 0) {
    for (const p of expandEnvInDocument(doc, env)) {
      const pos = p.range ? lines.linePos(p.range[0]) : undefined;
      problems.push({ file, line: pos?.line, column: pos?.col, path: formatKeyPath(p.path), message: p.message });
    }
  }
  if (problems.length > 0) throw invalid(file, problems);

  const raw: unknown = doc.toJS() ?? {};
  const shape = checkConfigShape(raw, { file, doc, lines });
  if (shape.length > 0) throw invalid(file, shape);

  const at = (segments: (string | number)[], message: string): Problem => ({
    file,
    ...locate({ doc, lines }, segments),
    path: formatKeyPath(segments),
    message,
  });
  const { config, problems: semantic } = compileConfig(raw as RawConfig, file, at);
  if (semantic.length > 0) throw invalid(file, semantic);
  return config;
}

function invalid(file: string, problems: Problem[]): AppError {
  const n = problems.length;
  return new AppError('CONFIG_INVALID', `${file || 'config'}: ${n} problem${n === 1 ? '' : 's'}`, { problems });
}

type At = (segments: (string | number)[], message: string) => Problem;

/** Applies defaults and checks what the schema cannot: unique paths, URLs, units. */
export function compileConfig(raw: RawConfig, file: string, at: At): { config: Config; problems: Problem[] } {
  const problems: Problem[] = [];
  const dir = file ? path.dirname(file) : process.cwd();
  const unit = <T>(segments: (string | number)[], fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      problems.push(at(segments, (err as Error).message));
      return fallback;
    }
  };
  const servers = raw.servers.map((s, i) => compileServer(s, i, dir, at, unit, problems));
  const globalCors = raw.cors ? compileCors(raw.cors, ['cors'], unit) : undefined;
  raw.servers.forEach((s, i) => {
    servers[i]!.cors = s.cors ? compileCors(s.cors, ['servers', i, 'cors'], unit) : globalCors;
  });
  const seenPaths = new Map<string, number>();
  const seenNames = new Map<string, number>();
  servers.forEach((s, i) => {
    const p = seenPaths.get(s.path);
    if (p !== undefined) problems.push(at(['servers', i, 'path'], `path ${s.path} is already used by servers[${p}]`));
    else seenPaths.set(s.path, i);
    const n = seenNames.get(s.name);
    if (n !== undefined) problems.push(at(['servers', i, 'name'], `name "${s.name}" is already used by servers[${n}]`));
    else seenNames.set(s.name, i);
  });
  const listen = { host: raw.listen?.host ?? '127.0.0.1', port: raw.listen?.port ?? 8080 };
  const config: Config = {
    file,
    listen,
    publicUrl: raw.publicUrl,
    logging: { level: raw.logging?.level ?? 'info', format: raw.logging?.format ?? 'json', accessLog: raw.logging?.accessLog ?? false },
    limits: {
      maxRequestBody: unit(['limits', 'maxRequestBody'], () => parseSize(raw.limits?.maxRequestBody ?? '1mb'), 1e6),
      maxConcurrentUpstream: raw.limits?.maxConcurrentUpstream ?? 1024,
      shutdownGraceMs: unit(['limits', 'shutdownGrace'], () => parseDuration(raw.limits?.shutdownGrace ?? '10s'), 10_000),
      ...compileServerTimeouts(raw.limits ?? {}, at, unit, problems),
      maxConnections: raw.limits?.maxConnections ?? 10_000,
    },
    allowedHosts: defaultAllowedHosts(raw, listen.host),
    reload: {
      watch: raw.reload?.watch ?? true,
      debounceMs: unit(['reload', 'debounce'], () => parseDuration(raw.reload?.debounce ?? '250ms'), 250),
      specRefreshMs: unit(['reload', 'specRefreshInterval'], () => parseDuration(raw.reload?.specRefreshInterval ?? '5m'), 300_000),
    },
    metrics: { enabled: raw.metrics?.enabled ?? true },
    audit: { enabled: raw.audit?.enabled ?? true, file: raw.audit?.file ? path.resolve(dir, raw.audit.file) : undefined },
    servers,
  };
  return { config, problems };
}

/**
 * The HTTP server's client timeouts. node:http refuses a headers timeout longer than the request
 * timeout, so the default headers timeout is the smaller of the two and an explicit longer one is an error.
 */
function compileServerTimeouts(
  limits: NonNullable<RawConfig['limits']>,
  at: At,
  unit: <T>(segments: (string | number)[], fn: () => T, fallback: T) => T,
  problems: Problem[],
): { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number } {
  const requestTimeoutMs = unit(['limits', 'requestTimeout'], () => parseDuration(limits.requestTimeout ?? '30s'), 30_000);
  const defaultHeaders = requestTimeoutMs > 0 ? Math.min(10_000, requestTimeoutMs) : 10_000;
  const headersTimeoutMs = limits.headersTimeout === undefined ? defaultHeaders : unit(['limits', 'headersTimeout'], () => parseDuration(limits.headersTimeout!), defaultHeaders);
  if (headersTimeoutMs > 0 && requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    problems.push(at(['limits', 'headersTimeout'], `must not be longer than limits.requestTimeout (${headersTimeoutMs} ms > ${requestTimeoutMs} ms)`));
  }
  const keepAliveTimeoutMs = unit(['limits', 'keepAliveTimeout'], () => parseDuration(limits.keepAliveTimeout ?? '65s'), 65_000);
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs };
}

function compileServer(
  s: RawServer,
  i: number,
  dir: string,
  at: At,
  unit: <T>(segments: (string | number)[], fn: () => T, fallback: T) => T,
  problems: Problem[],
): ServerConfig {
  const p = ['servers', i];
  const serverPath = normalisePath(s.path ?? '/mcp');
  const baseUrl = s.upstream?.baseUrl;
  if (baseUrl !== undefined && !URL.canParse(baseUrl)) problems.push(at([...p, 'upstream', 'baseUrl'], `not a valid URL: ${baseUrl}`));
  const up = s.upstream ?? {};
  return {
    name: s.name ?? nameFromPath(serverPath),
    path: serverPath,
    spec: unit([...p, 'spec'], () => parseSpecSource(s.spec, dir), { kind: 'file', path: path.resolve(dir, s.spec) }),
    overlays: (s.overlays ?? []).map((f) => path.resolve(dir, f)),
    specSecurity: false,
    specAt: (({ message: _m, ...where }) => where)(at([...p, 'spec'], '')),
    keyAt: (segments) => (({ message: _m, ...where }) => where)(at([...p, ...segments], '')),
    title: s.title,
    instructions: s.instructions,
    refHosts: (s.refHosts ?? []).map((h) => h.toLowerCase()),
    sessions: s.sessions ?? 'stateless',
    cors: undefined,
    auth: s.auth ? compileAuth(s.auth, [...p, 'auth'], unit) : undefined,
    upstream: {
      baseUrl,
      timeoutMs: unit([...p, 'upstream', 'timeout'], () => parseDuration(up.timeout ?? '30s'), 30_000),
      connectTimeoutMs: unit([...p, 'upstream', 'connectTimeout'], () => parseDuration(up.connectTimeout ?? '10s'), 10_000),
      maxResponseBytes: unit([...p, 'upstream', 'maxResponseSize'], () => parseSize(up.maxResponseSize ?? '10mb'), 1e7),
      maxConnections: up.maxConnections ?? 128,
      headers: up.headers ?? {},
    },
    tools: {
      include: s.tools?.include,
      exclude: s.tools?.exclude,
      maxNameLength: s.tools?.maxNameLength ?? DEFAULT_MAX_NAME_LENGTH,
      outputSchema: s.tools?.outputSchema ?? true,
      maxOutputSchemaBytes: unit([...p, 'tools', 'maxOutputSchemaSize'], () => parseSize(s.tools?.maxOutputSchemaSize ?? '16kb'), 16_000),
      cacheTtlMs: unit([...p, 'tools', 'cacheTtl'], () => parseDuration(s.tools?.cacheTtl ?? '60s'), 60_000),
      overrides: s.tools?.overrides ?? {},
      schemaProfile: s.tools?.schemaProfile ?? 'full',
      clientProfiles: s.tools?.clientProfiles ?? {},
      maxResultTokens: s.tools?.maxResultTokens ?? 25_000,
      projection: s.tools?.projection ?? false,
      mode: s.tools?.mode ?? 'auto',
      budget: s.tools?.budget ?? 20_000,
      pinned: s.tools?.pinned ?? [],
    },
  };
}

/**
 * Tool names of up to 48 characters leave room for the prefix clients add: Claude Code's
 * `mcp__<server>__<tool>` stays within 64 for server names of up to 9 characters, and Cursor's
 * server + tool stays under 60 for up to 11 (docs/decisions.md).
 */
const DEFAULT_MAX_NAME_LENGTH = 48;
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** An `auth` block written elsewhere than a config file (derived from a spec): defaults applied. */
export function compileAuthBlock(a: RawAuth): AuthConfig {
  return compileAuth(a, [], (_s, fn) => fn());
}

/** A `cors` block written elsewhere than a config file (HAPI's keys in a spec): defaults applied. */
export function compileCorsBlock(c: RawCors): CorsConfig {
  return compileCors(c, [], (_s, fn) => fn());
}

function compileAuth(a: RawAuth, at: (string | number)[], unit: <T>(segments: (string | number)[], fn: () => T, fallback: T) => T): AuthConfig {
  const issuer = a.issuer.replace(/\/+$/, '');
  return {
    provider: a.provider,
    // AuthKit tokens carry the domain without a trailing slash; keep the configured form otherwise.
    issuer: a.provider === 'workos' ? issuer : a.issuer,
    jwksUri: a.jwksUri ?? (a.provider === 'workos' ? `${issuer}/oauth2/jwks` : undefined),
    resource: a.resource,
    additionalAudiences: a.additionalAudiences ?? [],
    algorithms: a.algorithms ?? ASYMMETRIC,
    clockToleranceSec: Math.round(unit([...at, 'clockTolerance'], () => parseDuration(a.clockTolerance ?? '30s'), 30_000) / 1000),
    scopesClaim: a.scopesClaim ?? 'scope',
    scopesSupported: a.scopesSupported,
    requiredScopes: a.requiredScopes ?? [],
    toolScopes: a.toolScopes ?? {},
    specScopes: a.specScopes ?? true,
    policy: {
      emailDomains: (a.policy?.emailDomains ?? []).map((d) => d.replace(/^@/, '').toLowerCase()),
      orgIds: a.policy?.orgIds ?? [],
      claims: a.policy?.claims ?? {},
    },
    userinfo: a.userinfo ?? true,
    identityHeaders: Object.fromEntries(Object.entries(a.identityHeaders ?? {}).map(([h, c]) => [h.toLowerCase(), c])),
    insecureForwardToken: a.insecureForwardToken ?? false,
    clientId: a.clientId,
    dynamicClientRegistration: a.dynamicClientRegistration ?? true,
    asMetadata: a.authorizationServerMetadata,
  };
}

const MCP_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Mcp-Session-Id', 'MCP-Protocol-Version', 'Last-Event-ID'];
const MCP_EXPOSED_HEADERS = ['Mcp-Session-Id', 'WWW-Authenticate'];

function compileCors(c: RawCors, at: (string | number)[], unit: <T>(segments: (string | number)[], fn: () => T, fallback: T) => T): CorsConfig {
  const merge = (base: string[], extra: string[] = []) => [...new Map([...base, ...extra].map((h) => [h.toLowerCase(), h])).values()];
  return {
    allowedOrigins: (c.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()),
    allowedMethods: (c.allowedMethods ?? ['GET', 'POST', 'DELETE', 'OPTIONS']).map((m) => m.toUpperCase()),
    allowedHeaders: merge(MCP_REQUEST_HEADERS, c.allowedHeaders),
    exposedHeaders: merge(MCP_EXPOSED_HEADERS, c.exposedHeaders),
    allowCredentials: c.allowCredentials ?? false,
    maxAgeSeconds: Math.round(unit([...at, 'maxAge'], () => parseDuration(c.maxAge ?? '10m'), 600_000) / 1000),
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

/** Bound to loopback: only loopback Host names (DNS rebinding). Elsewhere: what is configured, else any. */
function defaultAllowedHosts(raw: RawConfig, listenHost: string): string[] | undefined {
  const publicHost = raw.publicUrl ? new URL(raw.publicUrl).host.toLowerCase() : undefined;
  if (raw.allowedHosts) return [...raw.allowedHosts.map((h) => h.toLowerCase()), ...(publicHost ? [publicHost] : [])];
  if (LOOPBACK.test(listenHost)) return ['localhost', '127.0.0.1', '[::1]', ...(publicHost ? [publicHost] : [])];
  return publicHost ? [publicHost] : undefined;
}

function normalisePath(p: string): string {
  const trimmed = p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return trimmed || '/';
}

function nameFromPath(p: string): string {
  const tail = p.replace(/^\/mcp\/?/, '').replace(/[^a-z0-9_-]+/gi, '-').replace(/^-+|-+$/g, '').toLowerCase();
  return tail || 'default';
}
