import type { ServerRuntime } from '../runtime/index.js';
import { DESCRIBE_MAX, formatHits, SEARCH_LIMIT } from '../search/index.js';
import type { CallToolResult } from '../upstream/index.js';
import type { CallContext } from './handlers.js';
import { RPC, RpcError } from './protocol.js';

type CallTool = (rt: ServerRuntime, params: unknown, ctx: CallContext) => Promise<CallToolResult>;

/**
 * search_tools, describe_tools and call_tool of a server in search mode. Search and describe only
 * ever show tools the caller may call (scopes before disclosure); call_tool hands the inner name
 * and arguments to the same callTool a direct tools/call takes, so validation, scopes, audit,
 * metrics and the access log are those of the underlying tool.
 */
export async function callMetaTool(rt: ServerRuntime, name: string, args: unknown, ctx: CallContext, callTool: CallTool): Promise<CallToolResult> {
  const meta = rt.meta!;
  const a = (args ?? {}) as Record<string, unknown>;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw invalid(name, 'arguments must be an object');
  const visible = rt.auth && ctx.auth ? (tool: string) => rt.auth!.canCall(ctx.auth!.principal, tool) : undefined;
  if (name === meta.call) {
    if (typeof a.name !== 'string' || a.name === '') throw invalid(name, 'name: must be a non-empty string (a tool name from search results)');
    if (a.name === meta.search || a.name === meta.describe || a.name === meta.call) throw invalid(name, `name: ${a.name} is a meta-tool; call it directly`);
    return callTool(rt, { name: a.name, arguments: a.arguments }, ctx);
  }
  if (name === meta.search) {
    if (typeof a.query !== 'string' || a.query.trim() === '') throw invalid(name, 'query: must be a non-empty string');
    if (a.query.length > 500) throw invalid(name, 'query: must be at most 500 characters');
    const limit = a.limit === undefined ? SEARCH_LIMIT.default : a.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMIT.max) throw invalid(name, `limit: must be an integer from 1 to ${SEARCH_LIMIT.max}`);
    const hits = rt.searchIndex().search(a.query, { limit, visible });
    return { content: [{ type: 'text', text: formatHits(a.query, hits) }] };
  }
  // describe
  const names = a.names;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) throw invalid(name, 'names: must be a non-empty array of tool names');
  if (names.length > DESCRIBE_MAX) throw invalid(name, `names: at most ${DESCRIBE_MAX} tools at once`);
  const found = [];
  const missing: string[] = [];
  for (const n of new Set(names as string[])) {
    const tool = rt.tools.get(n);
    // A tool the caller may not call is answered as if it did not exist.
    if (tool && (!visible || visible(n))) found.push(tool.def.definition);
    else missing.push(n);
  }
  const content: CallToolResult['content'] = [];
  if (found.length > 0) content.push({ type: 'text', text: JSON.stringify({ tools: found }) });
  if (missing.length > 0) content.push({ type: 'text', text: `No tool named ${missing.join(', ')}. Use names exactly as ${meta.search} returns them.` });
  return found.length > 0 ? { content } : { content, isError: true };
}

function invalid(tool: string, message: string): RpcError {
  return new RpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool ${tool}: ${message}`);
}
