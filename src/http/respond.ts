import type { ServerResponse } from 'node:http';

/** The one place that writes HTTP bodies: JSON with a length, and the headers given. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, typeof body === 'string' ? body : JSON.stringify(body), headers);
}

export function sendRaw(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...headers });
  res.end(json);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, headers);
  res.end();
}

/** A JSON-RPC error outside any request (transport-level), as the MCP SDK transport writes them. */
export function sendRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

/** A JSON body given as one string or as pre-encoded chunks (cached tools/list bytes). */
export function sendChunks(res: ServerResponse, status: number, body: string | Buffer[], headers: Record<string, string> = {}): void {
  if (typeof body === 'string') return sendRaw(res, status, body, headers);
  if (res.headersSent) {
    res.end();
    return;
  }
  const length = body.reduce((n, b) => n + b.length, 0);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(length), ...headers });
  res.cork();
  for (const chunk of body.slice(0, -1)) res.write(chunk);
  res.end(body[body.length - 1]);
  res.uncork();
}
