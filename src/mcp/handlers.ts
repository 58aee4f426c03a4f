import type { AuditLog, Authenticated } from '../auth/index.js';
import { isAppError, type CallOutcomeCode } from '../errors.js';
import type { Logger } from '../log.js';
import { adaptArgs, type SchemaProfile } from '../openapi/profiles/index.js';
import type { ServerRuntime } from '../runtime/index.js';
import type { ClientHints } from '../runtime/profiles.js';
import { callUpstream, type CallOutcome, type CallToolResult } from '../upstream/index.js';
import { shapeToolResult } from '../upstream/shape.js';
import { isMetaTool } from '../search/index.js';
import { callMetaTool } from './meta-tools.js';
import { RPC, RawJson, RpcError, negotiateVersion } from './protocol.js';

export interface CallContext {
  log: Logger;
  /** Request id for logs (x-request-id or generated). */
  requestId: string;
  /** Whether the server can notify about tool changes (stateful sessions). */
  listChanged?: boolean;
  /** Where tool-call outcomes are counted. */
  observe?: (server: string, tool: string, outcome: CallOutcomeCode, seconds: number) => void;
  /** Bounds upstream calls in flight (limits.maxConcurrentUpstream). */
  limiter?: Limiter;
  /** The verified caller, when the server has auth. */
  auth?: Authenticated;
  audit?: AuditLog;
  /** What the transport knows of the client (?profile=, User-Agent, a session's clientInfo), for schema profiles. */
  hints?: ClientHints;
}

export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ServerIdentity {
  name: string;
  version: string;
}

/**
 * The MCP methods an OpenAPI proxy serves, over one server runtime. Shared by the lean stateless
 * HTTP path, the SDK-based stateful sessions and stdio, so all three answer the same.
 */
export async function dispatch(rt: ServerRuntime, method: string, params: unknown, ctx: CallContext, id: ServerIdentity): Promise<unknown> {
  switch (method) {
    case 'initialize':
      return initializeResult(rt, (params as { protocolVersion?: unknown } | undefined)?.protocolVersion, ctx, id);
    case 'ping':
      return {};
    case 'logging/setLevel':
      // Accepted; tool calls log to the sidecar's own log, so there are no log notifications to filter.
      return {};
    case 'tools/list': {
      const profile = profileFor(rt, params, ctx);
      const meta = rt.meta;
      // The meta-tools are listed for every caller: what they disclose is filtered by scope instead.
      const visible = ctx.auth && rt.auth ? (name: string) => (meta !== undefined && isMetaTool(meta, name)) || rt.auth!.canCall(ctx.auth!.principal, name) : undefined;
      if (profile === 'full') return new RawJson(visible ? rt.listFor(visible) : rt.toolsListBytes);
      const view = rt.profiles.view(profile);
      return new RawJson(visible ? view.listFor(visible) : view.listBytes);
    }
    case 'tools/call':
      return callTool(rt, params, ctx);
    default:
      throw new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${method}`);
  }
}

export function initializeResult(rt: ServerRuntime, requested: unknown, ctx: Pick<CallContext, 'listChanged'>, id: ServerIdentity): Record<string, unknown> {
  const result: Record<string, unknown> = {
    protocolVersion: negotiateVersion(requested),
    capabilities: { tools: { listChanged: ctx.listChanged === true }, logging: {} },
    serverInfo: { name: `${id.name}/${rt.name}`, title: rt.title, version: rt.version },
  };
  if (rt.instructions) result.instructions = rt.instructions;
  return result;
}

/**
 * The schema profile a request is served in: `?profile=` on the endpoint, else the server's
 * tools.schemaProfile, else (auto) the client's identity. Not auto and no `?profile=`: no lookup.
 */
export function profileFor(rt: ServerRuntime, params: unknown, ctx: Pick<CallContext, 'hints'>): SchemaProfile {
  const { configured } = rt.profiles;
  if (configured !== 'auto' && !ctx.hints?.explicit) return configured;
  return rt.profiles.resolve({ ...ctx.hints, clientName: requestClientName(params) ?? ctx.hints?.clientName });
}

/** The 2026-07-28 revision's per-request client identity (`_meta`), or initialize's clientInfo. */
function requestClientName(params: unknown): string | undefined {
  const p = params as { _meta?: Record<string, { name?: unknown } | undefined>; clientInfo?: { name?: unknown } } | undefined;
  const name = p?._meta?.['io.modelcontextprotocol/clientInfo']?.name ?? p?.clientInfo?.name;
  return typeof name === 'string' ? name : undefined;
}

export async function callTool(rt: ServerRuntime, params: unknown, ctx: CallContext): Promise<CallToolResult> {
  const p = (params ?? {}) as { name?: unknown; arguments?: unknown };
  if (typeof p.name !== 'string') throw new RpcError(RPC.INVALID_PARAMS, 'tools/call needs params.name (the tool name)');
  const profile = profileFor(rt, params, ctx);
  // A profile may publish a tool or its arguments under other names: map them back first.
  const alias = profile === 'full' ? undefined : rt.profiles.view(profile).byName.get(p.name);
  const name = alias?.name ?? p.name;
  const tool = rt.tools.get(name);
  if (!tool) {
    if (rt.meta && isMetaTool(rt.meta, name)) return callMetaTool(rt, name, p.arguments, ctx, callTool);
    throw new RpcError(RPC.INVALID_PARAMS, `Unknown tool: ${p.name}`);
  }
  if (rt.auth && ctx.auth && !rt.auth.canCall(ctx.auth.principal, name)) {
    // Over HTTP this is answered earlier with 403 + a step-up challenge; here for sessions and stdio.
    throw new RpcError(RPC.INVALID_PARAMS, `Insufficient scope for tool ${name}: needs ${rt.auth.scopesFor(name).map((a) => a.join(' ')).join(' or ')}`);
  }
  let args = p.arguments ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new RpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool ${p.name}: arguments must be an object`);
  }
  // Whatever schema the client saw, the full one decides; profile-only encodings are undone first.
  if (profile !== 'full') args = adaptArgs(args as Record<string, unknown>, tool.def.definition.inputSchema, profile, alias?.renames);
  const errors = tool.validateArgs(args);
  if (errors) {
    const list = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new RpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool ${p.name}: ${list}`, { errors });
  }
  const started = performance.now();
  let outcome: CallOutcome;
  try {
    const identity = ctx.auth && rt.auth ? rt.auth.upstreamHeaders(ctx.auth) : undefined;
    const call = () => callUpstream(tool.def, tool.target, args as Record<string, unknown>, identity);
    outcome = ctx.limiter ? await ctx.limiter.run(call) : await call();
  } catch (err) {
    if (isAppError(err, 'TOOL_ARGS_INVALID')) {
      throw new RpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool ${p.name}: ${err.message}`, err.details);
    }
    if (!isAppError(err)) throw err;
    outcome = { result: { content: [{ type: 'text' as const, text: err.message }], isError: true }, status: 0, outcome: err.code };
  }
  let { result } = outcome;
  if (tool.validateOutput && !result.isError) {
    // A success without a body (a declared 204) has no fields to check: an empty object matches
    // the published schema, whose `required` lists are dropped.
    if (outcome.emptyBody) result.structuredContent = {};
    else checkOutput(result, tool.validateOutput, name, ctx);
  }
  const shaped = shapeToolResult(result, args as Record<string, unknown>, tool.shaping);
  if (shaped !== result) {
    // Cut arrays can break a minItems: then the text (and its note) goes without structuredContent.
    if (shaped.structuredContent && tool.validateOutput?.(shaped.structuredContent)) delete shaped.structuredContent;
    // A tool with an outputSchema must return structuredContent, or clients refuse the result: a cut
    // that could not keep it valid is reported as what it is, with the start of the text.
    if (tool.validateOutput && !shaped.structuredContent) shaped.isError = true;
    result = shaped;
  }
  const label: CallOutcomeCode = result.isError && outcome.outcome === 'OK' ? 'OUTPUT_MISMATCH' : outcome.outcome;
  const ms = performance.now() - started;
  ctx.observe?.(rt.name, name, label, ms / 1000);
  const rounded = Math.round(ms * 10) / 10;
  // Checked before building the line: at thousands of calls a second the line itself costs.
  if (rt.accessLog || ctx.log.isLevelEnabled('debug')) {
    ctx.log[rt.accessLog ? 'info' : 'debug']({ requestId: ctx.requestId, server: rt.name, tool: name, status: outcome.status, outcome: label, ms: rounded }, 'tool call');
  }
  ctx.audit?.toolCall({ server: rt.name, tool: name, principal: ctx.auth?.principal, status: outcome.status, outcome: label, ms: rounded, requestId: ctx.requestId });
  return result;
}

/**
 * A tool that declares an outputSchema must return matching structuredContent (clients check it).
 * When the upstream drifts from its spec, say so plainly and keep the body for the model.
 */
function checkOutput(result: CallToolResult, validate: (v: unknown) => { field: string; message: string }[] | undefined, tool: string, ctx: CallContext): void {
  const problems = result.structuredContent ? validate(result.structuredContent) : [{ field: '(response)', message: 'is not a JSON object' }];
  if (!problems) return;
  const why = problems.slice(0, 5).map((e) => `${e.field} ${e.message}`).join('; ');
  ctx.log.warn({ requestId: ctx.requestId, tool, problems: problems.slice(0, 5) }, 'upstream response does not match the declared response schema');
  delete result.structuredContent;
  result.isError = true;
  result.content.unshift({ type: 'text', text: `The upstream response does not match the response schema in the API's OpenAPI spec (${why}). The response was:` });
}
