import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAppError } from '../errors.js';
import { readRequestBody } from '../http/body.js';
import { sendStepUp } from '../http/auth.js';
import { sendChunks, sendEmpty, sendRaw, sendRpcError } from '../http/respond.js';
import type { ServerRuntime } from '../runtime/index.js';
import { routeEra } from './era2026.js';
import { dispatch, type CallContext, type ServerIdentity } from './handlers.js';
import { clientHintsOf } from './hints.js';
import type { ListenRegistry } from './listen.js';
import { answerModern } from './modern.js';
import {
  RPC,
  RpcError,
  SUPPORTED_PROTOCOL_VERSIONS,
  envelopeProblem,
  isRequest,
  isSupportedVersion,
  serializeError,
  serializeResponse,
  unrepresentableIdProblem,
  type JsonRpcMessage,
} from './protocol.js';

const MAX_BATCH = 100;

/**
 * Stateless Streamable HTTP, POST only: one request in, one JSON response out, no session and no
 * per-request SDK server or transport. Any replica can answer any request.
 */
export async function handleStatelessPost(
  req: IncomingMessage,
  res: ServerResponse,
  rt: ServerRuntime,
  ctx: CallContext,
  opts: { maxBody: number; identity: ServerIdentity; listeners?: ListenRegistry },
): Promise<void> {
  const accept = req.headers.accept ?? '';
  if (!acceptsJson(accept)) {
    sendRpcError(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    return;
  }
  const ctype = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(ctype)) {
    sendRpcError(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    return;
  }
  let raw: Buffer;
  try {
    raw = await readRequestBody(req, opts.maxBody);
  } catch (err) {
    if (isAppError(err, 'REQUEST_TOO_LARGE')) sendRpcError(res, 413, RPC.INVALID_REQUEST, err.message, { connection: 'close' });
    else sendRpcError(res, 400, RPC.PARSE_ERROR, 'Parse error: could not read the request body');
    return;
  }
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    sendRpcError(res, 400, RPC.PARSE_ERROR, 'Parse error: Invalid JSON');
    return;
  }
  const batch = Array.isArray(parsed);
  const messages = (batch ? parsed : [parsed]) as unknown[];
  if (messages.length === 0 || messages.length > MAX_BATCH) {
    sendRpcError(res, 400, RPC.INVALID_REQUEST, `Invalid Request: a batch must hold 1 to ${MAX_BATCH} messages`);
    return;
  }
  let oddId = false;
  for (const m of messages) {
    const problem = envelopeProblem(m);
    if (problem) {
      sendRpcError(res, 400, RPC.INVALID_REQUEST, `Invalid Request: ${problem}`);
      return;
    }
    const id = (m as JsonRpcMessage).id;
    if (typeof id === 'number' && !Number.isSafeInteger(id)) oddId = true;
  }
  // Rare: only then is the body's text scanned for the id as the client wrote it.
  const idProblem = oddId ? unrepresentableIdProblem(messages as JsonRpcMessage[], text) : undefined;
  if (idProblem) {
    sendRpcError(res, 400, RPC.INVALID_REQUEST, `Invalid Request: ${idProblem}`);
    return;
  }
  // The era comes from the parsed body: 2026-07-28 requests name their version in params._meta.
  const era = routeEra(messages as JsonRpcMessage[], batch, req.headers);
  if (era.kind === 'reject') return sendRaw(res, era.status, serializeError(era.id, era.code, era.message, era.data));
  if (era.kind === 'modern') return answerModernPost(req, res, rt, ctx, era.message, opts);
  const version = req.headers['mcp-protocol-version'];
  if (typeof version === 'string' && !isSupportedVersion(version)) {
    sendRpcError(res, 400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    return;
  }
  const requests = (messages as JsonRpcMessage[]).filter(isRequest);
  if (requests.length === 0) {
    // Only notifications or responses: accepted, nothing to answer.
    sendEmpty(res, 202);
    return;
  }
  const hints = clientHintsOf(req, rt);
  if (hints && 'error' in hints) {
    sendRpcError(res, 400, RPC.INVALID_REQUEST, `Bad Request: ${hints.error}`);
    return;
  }
  if (hints) ctx = { ...ctx, hints };
  if (answeredStepUp(rt, ctx, requests, res)) return;
  // No Mcp-Session-Id, not even on initialize: the id is optional (the server MAY assign one), and
  // one that no replica remembers binds nothing: a client would believe it has a session (and a
  // user) that the server never checks. A client-sent id is ignored.
  if (!batch) return sendChunks(res, 200, await answer(rt, requests[0]!, ctx, opts.identity));
  const answers = await Promise.all(requests.map((m) => answer(rt, m, ctx, opts.identity)));
  sendRaw(res, 200, `[${answers.map((a) => (typeof a === 'string' ? a : Buffer.concat(a).toString('utf8'))).join(',')}]`);
}

/** One 2026-07-28 message: no session id is minted or echoed, and a notification is just accepted. */
async function answerModernPost(req: IncomingMessage, res: ServerResponse, rt: ServerRuntime, ctx: CallContext, m: JsonRpcMessage, opts: { identity: ServerIdentity; listeners?: ListenRegistry }): Promise<void> {
  if (!isRequest(m)) return sendEmpty(res, 202);
  const hints = clientHintsOf(req, rt);
  if (hints && 'error' in hints) return sendRaw(res, 400, serializeError(m.id!, RPC.INVALID_REQUEST, `Bad Request: ${hints.error}`));
  if (hints) ctx = { ...ctx, hints };
  if (answeredStepUp(rt, ctx, m, res)) return;
  if (m.method === 'subscriptions/listen' && opts.listeners) {
    const wanted = (m.params as { notifications?: unknown }).notifications;
    if (typeof wanted !== 'object' || wanted === null || Array.isArray(wanted)) {
      return sendRaw(res, 200, serializeError(m.id!, RPC.INVALID_PARAMS, 'Invalid params: subscriptions/listen needs params.notifications (an object, e.g. {"toolsListChanged": true})'));
    }
    // The stream outlives this request: the snapshot taken for it is released as usual.
    return opts.listeners.open(rt.config.path, m.id!, wanted as Record<string, unknown>, res);
  }
  const { status, body } = await answerModern(rt, m, ctx, opts.identity);
  sendChunks(res, status, body);
}

async function answer(rt: ServerRuntime, m: JsonRpcMessage, ctx: CallContext, identity: ServerIdentity): Promise<string | Buffer[]> {
  const id = m.id as string | number;
  try {
    return serializeResponse(id, await dispatch(rt, m.method!, m.params, ctx, identity));
  } catch (err) {
    if (err instanceof RpcError) return serializeError(id, err.code, err.message, err.data);
    ctx.log.error({ requestId: ctx.requestId, err }, 'unexpected error while handling %s', m.method);
    return serializeError(id, RPC.INTERNAL_ERROR, 'Internal error');
  }
}

/** Streamable HTTP clients send `application/json, text/event-stream`; curl's `*\/*` is fine too. */
function acceptsJson(accept: string): boolean {
  if (accept === '') return false;
  return (accept.includes('application/json') && accept.includes('text/event-stream')) || accept.includes('*/*') || accept.includes('application/*');
}

/**
 * A tools/call for a tool whose scopes the caller lacks is answered with HTTP 403 and a challenge
 * naming them (step-up), before anything runs. Returns true when it answered.
 */
export function answeredStepUp(rt: ServerRuntime, ctx: Pick<CallContext, 'auth'>, messages: unknown, res: ServerResponse): boolean {
  if (!rt.auth || !ctx.auth) return false;
  for (const m of (Array.isArray(messages) ? messages : [messages]) as JsonRpcMessage[]) {
    const name = m?.method === 'tools/call' ? calledTool(rt, m.params) : undefined;
    if (typeof name === 'string' && rt.tools.has(name) && !rt.auth.canCall(ctx.auth.principal, name)) {
      sendStepUp(res, rt.auth, name);
      return true;
    }
  }
  return false;
}

/** The tool a tools/call runs: its name, or for search mode's call_tool the tool named inside it. */
function calledTool(rt: ServerRuntime, params: unknown): unknown {
  const p = params as { name?: unknown; arguments?: { name?: unknown } } | undefined;
  if (rt.meta && p?.name === rt.meta.call) return p.arguments?.name;
  return p?.name;
}
