import type { ServerRuntime } from '../runtime/index.js';
import { META_SERVER_INFO, MODERN_VERSIONS, listIsPerCaller } from './era2026.js';
import { callTool, profileFor, type CallContext, type ServerIdentity } from './handlers.js';
import { RPC, RpcError, serializeError, serializeResult, type JsonRpcId, type JsonRpcMessage } from './protocol.js';

/** A 2026-07-28 answer: the HTTP status and the body (a string, or chunks around cached bytes). */
export interface ModernAnswer {
  status: number;
  body: string | Buffer[];
}

interface Prepared {
  /** `"resultType":"complete","_meta":{serverInfo},` — the head every result shares. */
  head: string;
  /** `{"jsonrpc":"2.0","id":` is per request; these are what follows the id for tools/list. */
  listPrefix: Buffer;
  discover: string;
}

// Built once per server runtime, so once per snapshot: a reload builds new runtimes.
const prepared = new WeakMap<ServerRuntime, Prepared>();

function prepare(rt: ServerRuntime, id: ServerIdentity): Prepared {
  let p = prepared.get(rt);
  if (p) return p;
  const serverInfo = { name: `${id.name}/${rt.name}`, title: rt.title, version: rt.version };
  const head = `"resultType":"complete","_meta":${JSON.stringify({ [META_SERVER_INFO]: serverInfo })},`;
  const ttlMs = rt.config.tools.cacheTtlMs;
  // `private` when scopes filter the list: it then depends on who asks (caching.mdx, Choosing a Cache Scope).
  const scope = listIsPerCaller(rt) ? 'private' : 'public';
  const discover: Record<string, unknown> = {
    supportedVersions: [...MODERN_VERSIONS],
    capabilities: { tools: { listChanged: true } },
    ...(rt.instructions ? { instructions: rt.instructions } : {}),
    ttlMs,
    // Versions, capabilities and identity are the same for every caller.
    cacheScope: 'public',
  };
  p = { head, listPrefix: Buffer.from(`,"result":{${head}"ttlMs":${ttlMs},"cacheScope":"${scope}",`), discover: `{${head}${JSON.stringify(discover).slice(1)}` };
  prepared.set(rt, p);
  return p;
}

const CLOSE = Buffer.from('}');

/**
 * Answers one 2026-07-28 request over a server runtime. Results carry `resultType` and the server's
 * identity in `_meta`; methods this revision removed (ping, logging/setLevel, initialize) are unknown
 * here, answered 404 -32601 as the transport asks for any method the server does not implement.
 */
export async function answerModern(rt: ServerRuntime, m: JsonRpcMessage, ctx: CallContext, identity: ServerIdentity): Promise<ModernAnswer> {
  const id = m.id as JsonRpcId;
  const p = prepare(rt, identity);
  const idHead = `{"jsonrpc":"2.0","id":${JSON.stringify(id)}`;
  try {
    switch (m.method) {
      case 'server/discover':
        return { status: 200, body: `${idHead},"result":${p.discover}}` };
      case 'tools/list': {
        // The cached `{"tools":[…]}` bytes, opened after their `{`: the wrapper goes in front.
        // The same bytes as the 2025 answer: the caller's schema profile, then the tools its scopes allow.
        const profile = profileFor(rt, m.params, ctx);
        const visible = ctx.auth && rt.auth ? (name: string) => rt.auth!.canCall(ctx.auth!.principal, name) : undefined;
        const view = profile === 'full' ? { listFor: (v: (tool: string) => boolean) => rt.listFor(v), listBytes: rt.toolsListBytes } : rt.profiles.view(profile);
        const bytes = visible ? view.listFor(visible) : view.listBytes;
        return { status: 200, body: [Buffer.from(idHead), p.listPrefix, bytes.subarray(1), CLOSE] };
      }
      case 'tools/call': {
        // A tool result never carries resultType or _meta of its own, so the head goes in front of its fields.
        const result = serializeResult(await callTool(rt, m.params, ctx));
        return { status: 200, body: `${idHead},"result":{${p.head}${result.slice(1)}}` };
      }
      default:
        throw new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${m.method ?? ''}`);
    }
  } catch (err) {
    if (err instanceof RpcError) return { status: err.code === RPC.METHOD_NOT_FOUND ? 404 : 200, body: serializeError(id, err.code, err.message, err.data) };
    ctx.log.error({ requestId: ctx.requestId, err }, 'unexpected error while handling %s', m.method);
    return { status: 200, body: serializeError(id, RPC.INTERNAL_ERROR, 'Internal error') };
  }
}
