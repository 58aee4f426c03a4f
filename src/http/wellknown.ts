import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthRuntime } from '../auth/index.js';
import type { ServerRuntime, Snapshot } from '../runtime/index.js';
import { OPEN_CORS } from './cors.js';
import { sendEmpty, sendJson } from './respond.js';

const PRM = '/.well-known/oauth-protected-resource';
const ASM = '/.well-known/oauth-authorization-server';

/**
 * OAuth discovery documents, readable by anyone from any origin: RFC 9728 protected-resource
 * metadata per server (and at the root for the default server), and RFC 8414 authorization-server
 * metadata only where the sidecar names itself as the AS, because the AS publishes none (404 else:
 * clients find the real AS through `authorization_servers`).
 * Returns false when the path is not one of them.
 */
export async function handleWellKnown(req: IncomingMessage, res: ServerResponse, pathname: string, snapshot: Snapshot): Promise<boolean> {
  if (!pathname.startsWith('/.well-known/')) return false;
  let rt: (ServerRuntime & { auth: AuthRuntime }) | undefined;
  let kind: 'prm' | 'asm' | undefined;
  if (pathname === PRM || pathname.startsWith(`${PRM}/`)) {
    kind = 'prm';
    rt = serverFor(snapshot, pathname.slice(PRM.length));
  } else if (pathname === ASM || pathname.startsWith(`${ASM}/`)) {
    kind = 'asm';
    rt = serverFor(snapshot, pathname.slice(ASM.length));
  }
  if (!kind) return false;
  const origin = req.headers.origin;
  const cors = origin ? OPEN_CORS.responseHeaders(origin) : {};
  if (req.method === 'OPTIONS') {
    sendEmpty(res, 204, origin ? OPEN_CORS.preflightHeaders(origin) : { allow: 'GET, OPTIONS' });
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, OPTIONS', ...cors });
    return true;
  }
  if (!rt) {
    sendJson(res, 404, { error: 'not_found', message: 'no OAuth-protected MCP server here' }, cors);
    return true;
  }
  const doc = kind === 'prm' ? await rt.auth.protectedResourceMetadata() : await rt.auth.authorizationServerMetadata();
  if (!doc) {
    sendJson(
      res,
      404,
      {
        error: 'not_found',
        message:
          "no authorization server metadata here: it is served only when the authorization server publishes none (then from auth.authorizationServerMetadata or the spec's oauth2 scheme); find the authorization server in the protected-resource metadata",
      },
      cors,
    );
    return true;
  }
  sendJson(res, 200, doc, { 'cache-control': 'public, max-age=300', ...cors });
  return true;
}

/** `/mcp/a` → the server at that path; '' → the default server (/mcp), else the only one with auth. */
function serverFor(snapshot: Snapshot, suffix: string): (ServerRuntime & { auth: AuthRuntime }) | undefined {
  const withAuth = [...snapshot.servers.values()].filter((s): s is ServerRuntime & { auth: AuthRuntime } => s.auth !== undefined);
  if (suffix && suffix !== '/') return withAuth.find((s) => s.config.path === suffix || new URL(s.auth.resource()).pathname === suffix);
  return withAuth.find((s) => s.config.path === '/mcp') ?? (withAuth.length === 1 ? withAuth[0] : undefined);
}
