import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Config } from '../config/index.js';
import type { AuditLog, Authenticated } from '../auth/index.js';
import type { Logger } from '../log.js';
import type { Limiter, ServerIdentity } from '../mcp/handlers.js';
import { ListenRegistry } from '../mcp/listen.js';
import type { SessionManager } from '../mcp/stateful.js';
import { answeredStepUp, handleStatelessPost } from '../mcp/streamable.js';
import type { ServerRuntime, Snapshot, SnapshotHolder } from '../runtime/index.js';
import { authenticateRequest } from './auth.js';
import { applyCorsHeaders, isPreflight } from './cors.js';
import type { Metrics } from './metrics.js';
import { sendEmpty, sendJson, sendRaw, sendRpcError } from './respond.js';
import { handleWellKnown } from './wellknown.js';

export interface HttpDeps {
  holder: SnapshotHolder;
  log: Logger;
  identity: ServerIdentity;
  metrics?: Metrics;
  limiter?: Limiter;
  audit?: AuditLog;
  /** Readiness details beyond the snapshot (e.g. the last reload's error). */
  readiness?: () => Record<string, unknown>;
}

export type SidecarHttpServer = Server & { sessions: Map<string, SessionManager>; listeners: ListenRegistry };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Request ids only need to be unique in the logs: a per-process random prefix and a counter cost
// far less per request than a UUID.
const ID_PREFIX = randomBytes(6).toString('base64url');
let idCounter = 0;
const nextRequestId = (): string => `${ID_PREFIX}-${(++idCounter).toString(36)}`;

/** The sidecar's HTTP surface: MCP endpoints by path, health, readiness and metrics. */
export function createHttpServer(deps: HttpDeps): SidecarHttpServer {
  const sessions = new Map<string, SessionManager>();
  const listeners = new ListenRegistry();
  // The SDK transport behind stateful sessions loads on first use: stateless servers never pay for it.
  const sessionsFor = async (path: string): Promise<SessionManager> => {
    let m = sessions.get(path);
    if (!m) {
      const { SessionManager } = await import('../mcp/stateful.js');
      m = sessions.get(path);
      if (m) return m;
      m = new SessionManager(() => deps.holder.current.servers.get(path), deps.log, deps.identity, () => deps.holder.current.config.limits.maxRequestBody, { observe, limiter: deps.limiter, audit: deps.audit });
      sessions.set(path, m);
    }
    return m;
  };
  const observe = deps.metrics ? deps.metrics.toolCall.bind(deps.metrics) : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let pathname = q === -1 ? url : url.slice(0, q);
    if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.slice(0, -1);

    // /health too, where HAPI users' probes already point.
    if (pathname === '/healthz' || pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') return sendJson(res, 200, readiness(deps));
    if (pathname === '/metrics' && deps.metrics && deps.holder.current.config.metrics.enabled) {
      return sendRaw(res, 200, await deps.metrics.render(), { 'content-type': deps.metrics.contentType });
    }

    const snapshot = deps.holder.acquire();
    try {
      if (await handleWellKnown(req, res, pathname, snapshot)) return;
      const rt = snapshot.servers.get(pathname);
      if (!rt) return sendJson(res, 404, { error: 'not_found', message: `no MCP server at ${pathname}`, servers: [...snapshot.servers.keys()] });
      if (!guard(req, res, snapshot, rt)) return;
      const headerId = req.headers['x-request-id'];
      const requestId = typeof headerId === 'string' && REQUEST_ID.test(headerId) ? headerId : nextRequestId();
      const maxBody = snapshot.config.limits.maxRequestBody;
      let auth: Authenticated | undefined;
      if (rt.auth && req.method !== 'OPTIONS') {
        auth = await authenticateRequest(req, res, rt as typeof rt & { auth: NonNullable<typeof rt.auth> }, { audit: deps.audit, metrics: deps.metrics, requestId });
        if (!auth) return;
      }
      if (req.method === 'OPTIONS') return sendEmpty(res, 204, { allow: rt.config.sessions === 'stateful' ? 'GET, POST, DELETE, OPTIONS' : 'POST, OPTIONS' });
      if (rt.config.sessions === 'stateful') {
        // The SDK transport hands `req.auth` to request handlers as `authInfo`.
        if (auth) Object.assign(req, { auth: { token: auth.token, clientId: auth.principal.clientId ?? '', scopes: [...auth.principal.scopes], extra: { authenticated: auth } } });
        return await (await sessionsFor(rt.config.path)).handle(req, res, (body) => answeredStepUp(rt, { auth }, body, res));
      }
      switch (req.method) {
        case 'POST':
          return await handleStatelessPost(req, res, rt, { log: deps.log, requestId, observe, limiter: deps.limiter, auth, audit: deps.audit }, { maxBody, identity: deps.identity, listeners });
        default:
          // Stateless: no session to stream notifications on, and none to delete.
          return sendRpcError(res, 405, -32000, 'Method Not Allowed: this MCP endpoint is stateless; use POST', { allow: 'POST, OPTIONS' });
      }
    } finally {
      deps.holder.release(snapshot);
      deps.metrics?.request(snapshot.servers.get(pathname)?.name ?? '(none)', req.method ?? '', res.statusCode);
    }
  };

  const limits = deps.holder.current.config.limits;
  const server = createServer(clientLimits(limits), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error({ err }, 'request failed');
      sendRpcError(res, 500, -32603, 'Internal error');
    });
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return Object.assign(server, { sessions, listeners });
}

/**
 * Bounds on slow clients, read at start-up. node:http's timeouts cover receiving a request only (a
 * request leaves its checks once its last byte arrives), so a slow tool call or an SSE stream is never
 * cut off; a client still sending when one runs out gets node's `408 Request Timeout` and is disconnected.
 * node checks them on an interval (30 s by default): a quarter of the shorter one, within 25 ms–1 s.
 */
function clientLimits(limits: Config['limits']): ServerOptions {
  const on = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0);
  const interval = on.length > 0 ? Math.min(1000, Math.max(25, Math.floor(Math.min(...on) / 4))) : 30_000;
  return { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: interval };
}

/**
 * Host and Origin checks (DNS rebinding, MCP transport rule), then CORS. Answers preflights itself.
 * Returns false when it has already answered.
 */
function guard(req: IncomingMessage, res: ServerResponse, snapshot: Snapshot, rt: ServerRuntime): boolean {
  if (!snapshot.hostAllowed(req.headers.host)) {
    sendRpcError(res, 403, -32000, `Forbidden: Host "${req.headers.host ?? ''}" is not allowed (allowedHosts)`);
    return false;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (!rt.cors?.allows(origin)) {
    // Same origin as a checked Host is not cross-origin (a browser tab on this very sidecar).
    if (snapshot.config.allowedHosts && sameOrigin(origin, req.headers.host)) return true;
    sendRpcError(res, 403, -32000, `Forbidden: Origin "${origin}" is not allowed (cors.allowedOrigins)`);
    return false;
  }
  if (isPreflight(req)) {
    sendEmpty(res, 204, rt.cors.preflightHeaders(origin));
    return false;
  }
  applyCorsHeaders(res, rt.cors, origin);
  return true;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

function readiness(deps: HttpDeps): Record<string, unknown> {
  const s = deps.holder.current;
  return {
    status: 'ready',
    generation: s.generation,
    loadedAt: s.builtAt.toISOString(),
    servers: [...s.servers.values()].map((rt) => ({ name: rt.name, path: rt.config.path, tools: rt.tools.size, sessions: rt.config.sessions })),
    ...deps.readiness?.(),
  };
}
