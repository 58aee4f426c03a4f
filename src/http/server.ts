import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { ServerIdentity } from '../mcp/handlers.js';
import { SessionManager } from '../mcp/stateful.js';
import { handleStatelessPost } from '../mcp/streamable.js';
import type { SnapshotHolder } from '../runtime/index.js';
import { sendEmpty, sendJson, sendRpcError } from './respond.js';

export interface HttpDeps {
  holder: SnapshotHolder;
  log: Logger;
  identity: ServerIdentity;
  /** Readiness details beyond the snapshot (e.g. the last reload's error). */
  readiness?: () => Record<string, unknown>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The sidecar's HTTP surface: MCP endpoints by path, health and readiness. */
export function createHttpServer(deps: HttpDeps): Server & { sessions: Map<string, SessionManager> } {
  const sessions = new Map<string, SessionManager>();
  const sessionsFor = (path: string): SessionManager => {
    let m = sessions.get(path);
    if (!m) {
      m = new SessionManager(
        () => deps.holder.current.servers.get(path),
        deps.log,
        deps.identity,
        deps.holder.current.config.limits.maxRequestBody,
      );
      sessions.set(path, m);
    }
    return m;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let pathname = q === -1 ? url : url.slice(0, q);
    if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.slice(0, -1);

    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') return sendJson(res, 200, readiness(deps));

    const snapshot = deps.holder.acquire();
    try {
      const rt = snapshot.servers.get(pathname);
      if (!rt) return sendJson(res, 404, { error: 'not_found', message: `no MCP server at ${pathname}`, servers: [...snapshot.servers.keys()] });
      const headerId = req.headers['x-request-id'];
      const requestId = typeof headerId === 'string' && REQUEST_ID.test(headerId) ? headerId : randomUUID();
      if (rt.config.sessions === 'stateful') return await sessionsFor(rt.config.path).handle(req, res);
      switch (req.method) {
        case 'POST':
          return await handleStatelessPost(req, res, rt, { log: deps.log, requestId }, { maxBody: snapshot.config.limits.maxRequestBody, identity: deps.identity });
        case 'OPTIONS':
          return sendEmpty(res, 204, { allow: 'POST, OPTIONS' });
        default:
          // Stateless: no session to stream notifications on, and none to delete.
          return sendRpcError(res, 405, -32000, 'Method Not Allowed: this MCP endpoint is stateless; use POST', { allow: 'POST, OPTIONS' });
      }
    } finally {
      deps.holder.release(snapshot);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error({ err }, 'request failed');
      sendRpcError(res, 500, -32603, 'Internal error');
    });
  });
  server.keepAliveTimeout = 65_000;
  return Object.assign(server, { sessions });
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
