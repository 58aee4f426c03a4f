import { RAW_STRUCTURED, type CallToolResult } from '../upstream/response.js';

/**
 * The protocol revisions spoken here, newest first. The same list as the MCP SDK's (a test checks it):
 * written out so the stateless path does not load the SDK's schemas at start-up.
 */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];
export const LATEST_PROTOCOL_VERSION = SUPPORTED_PROTOCOL_VERSIONS[0]!;

export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

export type JsonRpcId = string | number;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** A protocol error: becomes a JSON-RPC error object, never an HTTP error. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/**
 * A result that is already encoded (tools/list): written out as UTF-8 bytes made once per snapshot,
 * without re-serialising or re-encoding megabytes of tool definitions per request.
 */
export class RawJson {
  constructor(readonly bytes: Buffer) {}
}

const supported = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

export function isSupportedVersion(v: string): boolean {
  return supported.has(v);
}

/** The client's version when we speak it, else our latest (the client then decides). */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && supported.has(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

export function isRequest(m: JsonRpcMessage): boolean {
  return typeof m.method === 'string' && m.id !== undefined && m.id !== null;
}

/** A JSON-RPC response as the chunks to write: strings, and the cached bytes of a RawJson result. */
export function serializeResponse(id: JsonRpcId | null, result: unknown): string | Buffer[] {
  const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`;
  if (result instanceof RawJson) return [Buffer.from(head), result.bytes, CLOSE_BRACE];
  return `${head}${serializeResult(result)}}`;
}

const CLOSE_BRACE = Buffer.from('}');

/** A tool result whose structuredContent is the upstream's JSON text is written without re-stringifying it. */
export function serializeResult(result: unknown): string {
  const r = result as CallToolResult;
  const raw = typeof r === 'object' && r !== null ? r[RAW_STRUCTURED] : undefined;
  if (typeof raw !== 'string' || r.structuredContent === undefined) return JSON.stringify(result);
  const c = r.content;
  // The usual success, written directly: one text block (the same JSON text) and the object.
  if (c.length === 1 && c[0]!.type === 'text' && r.isError === undefined && Object.keys(r).length === 2) {
    return `{"content":[{"type":"text","text":${JSON.stringify(c[0]!.text)}}],"structuredContent":${raw}}`;
  }
  const { structuredContent: _s, ...rest } = r;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"structuredContent":${raw}}`;
}

export function serializeError(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

/** Checks the JSON-RPC envelope; returns a reason when the message is malformed. */
export function envelopeProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a JSON-RPC message must be an object';
  const msg = m as JsonRpcMessage;
  if (msg.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  const hasMethod = typeof msg.method === 'string';
  const isResponse = 'result' in msg || 'error' in msg;
  if (!hasMethod && !isResponse) return 'a JSON-RPC message needs a method (request, notification) or a result/error (response)';
  if (msg.id !== undefined && msg.id !== null && typeof msg.id !== 'string' && typeof msg.id !== 'number') return 'id must be a string or a number';
  return undefined;
}

/**
 * A numeric id that JSON.parse could not keep (`1e400` became Infinity, `9007199254740993` was
 * rounded to …992) would be answered with `null` or another number, which the client cannot match to
 * its request. Called only when a parsed id is a number outside the safe integers, so the fast path
 * never scans the body: then the id's own text is read from the body and compared with what was parsed.
 */
export function unrepresentableIdProblem(messages: readonly JsonRpcMessage[], text: string): string | undefined {
  let tokens: (string | undefined)[] | undefined;
  for (let i = 0; i < messages.length; i++) {
    const id = messages[i]!.id;
    if (typeof id !== 'number' || Number.isSafeInteger(id) || (Number.isFinite(id) && !Number.isInteger(id))) continue;
    tokens ??= scanIdTokens(text);
    const token = tokens[i];
    if (!Number.isFinite(id) || token === undefined || !sameInteger(token, id)) {
      return `id ${token ?? String(id)} cannot be represented exactly; use a string or an integer within ±(2^53 - 1)`;
    }
  }
  return undefined;
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The raw text of each message's `id` member, in message order, for a body that is one JSON object or an
 * array of objects (already parsed, so well-formed). Keys of nested values are skipped by depth; a
 * repeated `id` keeps its last value, as JSON.parse does.
 */
export function scanIdTokens(text: string): (string | undefined)[] {
  const ids: (string | undefined)[] = [];
  let depth = 0;
  let messageDepth = 0;
  let index = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      if (depth === messageDepth) {
        let j = end + 1;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] === ':' && JSON.parse(text.slice(i, end + 1)) === 'id') {
          j++;
          while (/\s/.test(text[j] ?? '')) j++;
          NUMBER_TOKEN.lastIndex = j;
          ids[index] = NUMBER_TOKEN.exec(text)?.[0];
        }
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (messageDepth === 0) messageDepth = c === 0x5b ? 2 : 1;
      if (c === 0x7b && depth === messageDepth) index++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return ids;
}

/** Whether a JSON number token denotes exactly the integer `n` (exact decimal arithmetic, no rounding). */
function sameInteger(token: string, n: number): boolean {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return false;
  let digits = m[2]! + (m[3] ?? '');
  let exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  if (exp < 0) {
    const cut = digits.length + exp;
    // A fraction that is not all zeros is not an integer, however the parser rounded it.
    if (cut < 0 || /[^0]/.test(digits.slice(cut))) return false;
    digits = digits.slice(0, cut) || '0';
    exp = 0;
  }
  if (exp > 400) return false;
  const value = BigInt(digits) * 10n ** BigInt(exp);
  return (m[1] ? -value : value) === BigInt(n);
}
