import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { ServerRuntime } from '../runtime/index.js';
import type { Authenticated } from '../auth/index.js';
import { callTool, profileFor, type CallContext, type ServerIdentity } from './handlers.js';
import { RpcError } from './protocol.js';

/**
 * An MCP SDK `Server` over the *current* runtime of one endpoint, for stateful sessions and stdio.
 * It looks the runtime up on every request, so a reload is seen at once; `notifyToolsChanged`
 * tells the client (tools.listChanged).
 */
export function createSdkServer(getRuntime: () => ServerRuntime | undefined, log: Logger, identity: ServerIdentity, extra: Pick<CallContext, 'observe' | 'limiter' | 'audit' | 'hints'> = {}): Server {
  const first = getRuntime();
  const server = new Server(
    { name: `${identity.name}/${first?.name ?? 'server'}`, title: first?.title, version: first?.version ?? identity.version },
    { capabilities: { tools: { listChanged: true }, logging: {} }, ...(first?.instructions ? { instructions: first.instructions } : {}) },
  );
  const runtime = (): ServerRuntime => {
    const rt = getRuntime();
    if (!rt) throw rpcError(-32601, 'this MCP server was removed from the configuration');
    return rt;
  };
  server.setRequestHandler(SetLevelRequestSchema, async () => ({}));
  // The session's clientInfo (from initialize) joins what the transport knew, for schemaProfile auto.
  const hints = () => ({ ...extra.hints, clientName: server.getClientVersion()?.name });
  server.setRequestHandler(ListToolsRequestSchema, async (request, { authInfo }) => {
    const rt = runtime();
    const auth = authenticatedFrom(authInfo);
    const profile = profileFor(rt, request.params, { hints: hints() });
    const view = rt.profiles.view(profile);
    if (!auth || !rt.auth) return { tools: view.definitions as never };
    // A profile may rename a tool: visibility is decided on the tool's own name, kept in step by index.
    return { tools: view.definitions.filter((_d, i) => rt.auth!.canCall(auth.principal, rt.definitions[i]!.name)) as never };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, { authInfo }) => {
    try {
      return (await callTool(runtime(), request.params, { log, requestId: randomUUID(), listChanged: true, auth: authenticatedFrom(authInfo), ...extra, hints: hints() })) as never;
    } catch (err) {
      if (err instanceof RpcError) throw rpcError(err.code, err.message, err.data);
      throw err;
    }
  });
  return server;
}

function authenticatedFrom(authInfo: { extra?: Record<string, unknown> } | undefined): Authenticated | undefined {
  return authInfo?.extra?.authenticated as Authenticated | undefined;
}

/** The SDK sends an error's `code` and `message` as they are (McpError would prefix the message). */
function rpcError(code: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(message), { code, data });
}
