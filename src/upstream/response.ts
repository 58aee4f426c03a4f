import { AppError } from '../errors.js';
import { MAX_NESTING, tooDeep } from '../util/nesting.js';

export type Content =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string }
  | { type: 'audio'; data: string; mimeType: string }
  | { type: 'resource'; resource: { uri: string; mimeType: string; blob: string } };

/**
 * The upstream's own JSON text behind `structuredContent`, under a symbol (which JSON never
 * serialises) so the response serialiser can splice it in instead of stringifying the parsed object again.
 */
export const RAW_STRUCTURED = Symbol('rawStructured');

export interface CallToolResult {
  content: Content[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [RAW_STRUCTURED]?: string;
  [key: string]: unknown;
}

const MAX_ERROR_BODY_CHARS = 4000;

const JSON_TYPE = /^application\/(.+\+)?json\b/i;
// `x-yaml`, `x-javascript` and `x-ndjson` are as common as the registered names.
const TEXT_TYPE = /^(text\/|application\/(.+\+|x-)?(xml|yaml|javascript|ndjson|x-www-form-urlencoded)\b)/i;

/**
 * An upstream response → MCP tool result. JSON objects are also `structuredContent`; images and audio
 * become their content types; other binaries an embedded resource; 4xx/5xx are `isError` results
 * that carry the status and the upstream's own error body for the model to act on.
 */
export function toToolResult(status: number, contentType: string, body: Buffer, url: string): CallToolResult {
  const mime = contentType.split(';', 1)[0]!.trim().toLowerCase() || 'application/octet-stream';
  if (status < 200 || status >= 300) {
    const text = body.length === 0 ? '' : isTextual(mime, body) ? body.toString('utf8') : `<${body.length} bytes of ${mime}>`;
    const trimmed = text.length > MAX_ERROR_BODY_CHARS ? `${text.slice(0, MAX_ERROR_BODY_CHARS)}… (truncated)` : text;
    return {
      content: [{ type: 'text', text: `Upstream returned HTTP ${status}${statusText(status)}${trimmed ? `: ${trimmed}` : ''}` }],
      isError: true,
    };
  }
  if (body.length === 0) return { content: [{ type: 'text', text: `HTTP ${status}${statusText(status)} (no content)` }] };
  if (JSON_TYPE.test(mime) || (mime === 'application/octet-stream' && looksLikeJson(body))) {
    const text = body.toString('utf8');
    try {
      const value: unknown = JSON.parse(text);
      const result: CallToolResult = { content: [{ type: 'text', text }] };
      // Nested past what JSON.stringify and the schema checks can walk, it stays text only: the SDK
      // transport (stateful sessions, stdio) would fail to write the result and the client get no answer.
      // (Text shorter than two brackets a level cannot nest that deep, so small bodies skip the walk.)
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && (text.length <= 2 * MAX_NESTING || tooDeep(value) === undefined)) {
        result.structuredContent = value as Record<string, unknown>;
        // A symbol key: JSON.stringify and schema checks never see it (cheaper than defineProperty).
        result[RAW_STRUCTURED] = text;
      }
      return result;
    } catch {
      return { content: [{ type: 'text', text }] };
    }
  }
  if (isTextual(mime, body)) return { content: [{ type: 'text', text: body.toString('utf8') }] };
  if (mime.startsWith('image/')) return { content: [{ type: 'image', data: body.toString('base64'), mimeType: mime }] };
  if (mime.startsWith('audio/')) return { content: [{ type: 'audio', data: body.toString('base64'), mimeType: mime }] };
  return { content: [{ type: 'resource', resource: { uri: url, mimeType: mime, blob: body.toString('base64') } }] };
}

function isTextual(mime: string, body: Buffer): boolean {
  if (JSON_TYPE.test(mime) || TEXT_TYPE.test(mime)) return true;
  // Missing or generic types: treat valid UTF-8 without control bytes as text.
  return (mime === 'application/octet-stream' || mime === '') && body.length < 1_000_000 && !/[\0-\x08\x0e-\x1f]/.test(body.toString('latin1')) && isUtf8(body);
}

function isUtf8(body: Buffer): boolean {
  return Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

function looksLikeJson(body: Buffer): boolean {
  const c = body[0];
  return c === 0x7b || c === 0x5b;
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusText(status: number): string {
  const r = REASONS[status];
  return r ? ` ${r}` : '';
}

/** A failure before any response (timeout, refused, too large) → an `isError` result that says what happened. */
export function failureResult(err: unknown, target: string, timeoutMs: number): CallToolResult {
  return { content: [{ type: 'text', text: describeFailure(err, target, timeoutMs) }], isError: true };
}

export function classifyFailure(err: unknown): AppError['code'] {
  if (err instanceof AppError) return err.code;
  const code = (err as { code?: string }).code ?? '';
  const name = (err as { name?: string }).name ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || name === 'TimeoutError') return 'UPSTREAM_TIMEOUT';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'EPIPE'].includes(code)) return 'UPSTREAM_UNREACHABLE';
  return 'UPSTREAM_FAILED';
}

function describeFailure(err: unknown, target: string, timeoutMs: number): string {
  const code = classifyFailure(err);
  switch (code) {
    case 'UPSTREAM_TIMEOUT':
      return `The upstream API did not answer ${target} within ${timeoutMs} ms (timeout). It may be overloaded; try again later.`;
    case 'UPSTREAM_UNREACHABLE':
      return `The upstream API could not be reached for ${target}: ${(err as { code?: string }).code ?? 'connection failed'} (${(err as Error).message}).`;
    case 'UPSTREAM_RESPONSE_TOO_LARGE':
    case 'TOOL_ARGS_INVALID':
    case 'UPSTREAM_REQUEST_INVALID':
      return (err as Error).message;
    default:
      return `The upstream request ${target} failed: ${(err as Error).message}`;
  }
}
