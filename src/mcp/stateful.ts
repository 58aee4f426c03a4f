import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticated } from '../auth/index.js';
import { isAppError } from '../errors.js';
import { readRequestBody } from '../http/body.js';
import { sendRpcError } from '../http/respond.js';
import type { Logger } from '../log.js';
import type { ServerRuntime } from '../runtime/index.js';
import type { CallContext, ServerIdentity } from './handlers.js';
import { RPC } from './protocol.js';
import { clientHintsOf } from './hints.js';
import { createSdkServer } from './sdk-server.js';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  lastSeen: number;
  /** Who opened it (issuer + subject of the verified token); undefined on a server without auth. */
  owner: string | undefined;
}

/** Sessions idle this long are closed, so abandoned ones do not stay in memory. */
const SESSION_IDLE_MS = 30 * 60_000;

/**
 * Stateful Streamable HTTP for one endpoint, on the MCP SDK transport: Mcp-Session-Id sessions,
 * the GET stream for server notifications, DELETE to end a session. Sessions live in this process,
 * so a load balancer must keep a client on the replica that created its session.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly getRuntime: () => ServerRuntime | undefined,
    private readonly log: Logger,
    private readonly identity: ServerIdentity,
    /** Read per request, so a reloaded limits.maxRequestBody applies at once. */
    private readonly maxBody: () => number,
    /** Metrics, the upstream concurrency limit and the audit log, as on the stateless path. */
    private readonly extra: Pick<CallContext, 'observe' | 'limiter' | 'audit'> = {},
  ) {
    this.sweeper = setInterval(() => this.expire(Date.now() - SESSION_IDLE_MS), 60_000);
    this.sweeper.unref();
  }

  private readonly sweeper: NodeJS.Timeout;

  get size(): number {
    return this.sessions.size;
  }

  /**
   * `answered(body)` runs on the parsed body before the SDK sees it (the HTTP layer's step-up check);
   * it returns true when it has already answered.
   */
  async handle(req: IncomingMessage, res: ServerResponse, answered?: (body: unknown) => boolean): Promise<void> {
    const sid = req.headers['mcp-session-id'];
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse((await readRequestBody(req, this.maxBody())).toString('utf8'));
      } catch (err) {
        if (isAppError(err, 'REQUEST_TOO_LARGE')) sendRpcError(res, 413, RPC.INVALID_REQUEST, err.message, { connection: 'close' });
        else sendRpcError(res, 400, RPC.PARSE_ERROR, 'Parse error: Invalid JSON');
        return;
      }
      if (answered?.(body)) return;
    }
    if (typeof sid === 'string') {
      const session = this.sessions.get(sid);
      // A session belongs to the principal that opened it (MCP "Security Best Practices", session
      // hijacking: bind the session id to the user). Another user's valid token on it gets the very
      // answer an unknown id gets, 404 "Session not found" (the transport spec's answer for a session
      // the server does not hold): a 403 would confirm to a guesser that the id is live.
      if (!session || session.owner !== ownerOf(req)) {
        // Unknown here: expired, deleted, or created by another replica (no sticky sessions).
        sendRpcError(res, 404, -32001, `Session not found: ${sid} is not known to this server (it may have expired, or been created on another replica: stateful mode needs sticky sessions). Start a new session with initialize.`);
        return;
      }
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitialize(body)) {
      sendRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first to start a session)');
      return;
    }
    // A session keeps the ?profile= and User-Agent it was created with; its clientInfo comes with initialize.
    const rt = this.getRuntime();
    const hints = rt ? clientHintsOf(req, rt) : undefined;
    if (hints && 'error' in hints) {
      sendRpcError(res, 400, RPC.INVALID_REQUEST, `Bad Request: ${hints.error}`);
      return;
    }
    const server = createSdkServer(this.getRuntime, this.log, this.identity, { ...this.extra, hints: hints ?? { userAgent: req.headers['user-agent'] } });
    const owner = ownerOf(req);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, lastSeen: Date.now(), owner });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /** Tells every open session that the tool list changed (after a reload). */
  async notifyToolsChanged(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.server.sendToolListChanged().catch(() => undefined)));
  }

  /** Closes sessions last used before `cutoff` (ms since the epoch). */
  expire(cutoff: number): void {
    for (const [id, s] of this.sessions) {
      if (s.lastSeen >= cutoff) continue;
      this.sessions.delete(id);
      void s.server.close().catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.server.close().catch(() => undefined)));
  }
}

/**
 * `iss` + `sub` of the request's verified token (the HTTP layer puts it on `req.auth` for the SDK
 * transport), or undefined when the server has no auth.
 */
function ownerOf(req: IncomingMessage): string | undefined {
  const principal = (req as { auth?: { extra?: { authenticated?: Authenticated } } }).auth?.extra?.authenticated?.principal;
  return principal ? `${String(principal.claims.iss)}\0${principal.sub}` : undefined;
}

function isInitialize(body: unknown): boolean {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.some((m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize');
}
