import type { IncomingHttpHeaders } from 'node:http';
import type { ServerRuntime } from '../runtime/index.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type JsonRpcId, type JsonRpcMessage } from './protocol.js';

/**
 * MCP 2026-07-28 ("modern"): no initialize and no session; every request names its protocol version
 * and client capabilities in `params._meta`. A request that carries the version key is served under
 * this revision; anything else keeps the 2025-era behaviour (versioning.mdx, "dual-era server").
 */
export const MODERN_VERSIONS: readonly string[] = ['2026-07-28'];

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

/** Error codes from the range the 2026 revision reserves for itself (basic/index.mdx, Error Codes). */
export const MODERN_ERRORS = {
  HEADER_MISMATCH: -32020,
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

const modern = new Set(MODERN_VERSIONS);
const legacy = new Set(SUPPORTED_PROTOCOL_VERSIONS);

export function isModernVersion(v: unknown): boolean {
  return typeof v === 'string' && modern.has(v);
}

/** A JSON-RPC error the HTTP layer writes as it is: status, and the request's id where known. */
export interface EraRejection {
  kind: 'reject';
  status: number;
  id: JsonRpcId | null;
  code: number;
  message: string;
  data?: unknown;
}

export type EraRoute = { kind: 'legacy' } | { kind: 'modern'; message: JsonRpcMessage } | EraRejection;

function metaOf(m: unknown): Record<string, unknown> | undefined {
  const params = (m as JsonRpcMessage | undefined)?.params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined;
}

/**
 * A modern claim: `_meta` names a protocol version that is not one of the 2025-era revisions (those
 * are negotiated by initialize, so a client that also repeats one in `_meta` stays on the legacy path).
 */
function claimOf(m: unknown): { meta: Record<string, unknown>; version: unknown } | undefined {
  const meta = metaOf(m);
  if (!meta || !(META_PROTOCOL_VERSION in meta)) return undefined;
  const version = meta[META_PROTOCOL_VERSION];
  if (typeof version === 'string' && legacy.has(version)) return undefined;
  return { meta, version };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.join(',').trim() : undefined;
}

/**
 * Picks the era of an already-parsed, envelope-checked body and applies the 2026 transport's checks, in
 * the order the revision's reference SDK answers them: malformed `_meta` (-32602), header/body version
 * mismatch (-32020), unsupported version (-32022), then the required standard headers (-32020).
 * Every 2026 rejection is HTTP 400 and carries the request's id.
 */
export function routeEra(messages: readonly JsonRpcMessage[], batch: boolean, headers: IncomingHttpHeaders): EraRoute {
  if (batch) {
    // JSON-RPC batching is not part of the 2026 transport (one message per POST).
    if (messages.some((m) => claimOf(m))) return reject(400, null, -32600, 'Invalid Request: a JSON-RPC batch cannot hold 2026-07-28 requests (send one message per POST)');
    return { kind: 'legacy' };
  }
  const m = messages[0]!;
  const isReq = m.id !== undefined && m.id !== null && typeof m.method === 'string';
  const id = isReq ? (m.id as JsonRpcId) : null;
  const hVersion = header(headers, 'mcp-protocol-version');
  const claim = claimOf(m);
  if (!claim) {
    if (m.method === 'initialize' && isModernVersion(hVersion)) {
      return reject(400, id, MODERN_ERRORS.HEADER_MISMATCH, `Header mismatch: MCP-Protocol-Version names ${hVersion}, which has no initialize; send initialize without it, or drop initialize and put the version in params._meta`);
    }
    if (isReq && isModernVersion(hVersion)) {
      return reject(400, id, -32602, `Invalid params: the MCP-Protocol-Version header names ${hVersion}, but params._meta lacks the required ${META_PROTOCOL_VERSION}`);
    }
    if (!isReq && isModernVersion(hVersion) && typeof m.method === 'string') return { kind: 'modern', message: m };
    return { kind: 'legacy' };
  }
  const { meta, version } = claim;
  if (typeof version !== 'string' || version === '') return reject(400, id, -32602, `Invalid params: _meta ${META_PROTOCOL_VERSION} must be a protocol version string`);
  if (isReq) {
    const caps = meta[META_CLIENT_CAPABILITIES];
    if (typeof caps !== 'object' || caps === null || Array.isArray(caps)) return reject(400, id, -32602, `Invalid params: _meta lacks the required ${META_CLIENT_CAPABILITIES} (an object; {} declares none)`);
  }
  if (hVersion !== undefined && hVersion !== version) {
    return reject(400, id, MODERN_ERRORS.HEADER_MISMATCH, `Header mismatch: MCP-Protocol-Version header value '${hVersion}' does not match body value '${version}'`);
  }
  if (!modern.has(version)) {
    return reject(400, id, MODERN_ERRORS.UNSUPPORTED_PROTOCOL_VERSION, 'Unsupported protocol version', { supported: [...MODERN_VERSIONS], requested: version });
  }
  if (!isReq) return { kind: 'modern', message: m };
  const problem = standardHeaderProblem(m, headers, hVersion);
  if (problem) return reject(400, id, MODERN_ERRORS.HEADER_MISMATCH, `Header mismatch: ${problem}`);
  return { kind: 'modern', message: m };
}

/** `MCP-Protocol-Version`, `Mcp-Method` and, for tools/call, `Mcp-Name` (streamable-http.mdx, Standard Request Headers). */
function standardHeaderProblem(m: JsonRpcMessage, headers: IncomingHttpHeaders, hVersion: string | undefined): string | undefined {
  if (hVersion === undefined) return 'the required MCP-Protocol-Version header is missing';
  const method = header(headers, 'mcp-method');
  if (method === undefined) return 'the required Mcp-Method header is missing';
  if (method !== m.method) return `Mcp-Method header value '${method}' does not match body value '${m.method}'`;
  if (m.method !== 'tools/call' && m.method !== 'prompts/get' && m.method !== 'resources/read') return undefined;
  const p = m.params as { name?: unknown; uri?: unknown };
  const body = m.method === 'resources/read' ? p.uri : p.name;
  if (typeof body !== 'string') return undefined; // the method's own params check names what is missing
  const raw = header(headers, 'mcp-name');
  if (raw === undefined) return `the required Mcp-Name header is missing (the body names '${body}')`;
  const value = decodeHeaderValue(raw);
  if (value === undefined) return `Mcp-Name header value '${raw}' is not a valid =?base64?…?= value`;
  if (value !== body) return `Mcp-Name header value '${value}' does not match body value '${body}'`;
  return undefined;
}

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/**
 * A header value as the client meant it: values that are not plain header-safe ASCII travel as
 * `=?base64?<UTF-8 as Base64>?=`; the markers are case-sensitive (streamable-http.mdx, Value Encoding).
 * Undefined for a sentinel that is not valid Base64 of valid UTF-8.
 */
export function decodeHeaderValue(raw: string): string | undefined {
  if (!raw.startsWith('=?base64?') || !raw.endsWith('?=')) return raw;
  const b64 = SENTINEL.exec(raw)?.[1];
  if (b64 === undefined || b64.length % 4 !== 0) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
}

function reject(status: number, id: JsonRpcId | null, code: number, message: string, data?: unknown): EraRejection {
  return data === undefined ? { kind: 'reject', status, id, code, message } : { kind: 'reject', status, id, code, message, data };
}

/** Whether tools/list can differ between callers: a server with auth where some tool needs scopes. */
export function listIsPerCaller(rt: ServerRuntime): boolean {
  const auth = rt.auth;
  if (!auth) return false;
  for (const name of rt.tools.keys()) {
    // Alternatives of scope sets; an empty alternative means anyone may call the tool.
    const need = auth.scopesFor(name);
    if (need.length > 0 && need.every((set) => set.length > 0)) return true;
  }
  return false;
}
