import type { FormData } from 'undici';
import type { RequestBinding } from '../openapi/binding.js';
import { encodeBody } from './body.js';
import { serializeCookieParam, serializeHeaderParam, serializePathParam, serializeQueryParam } from './serialize.js';

export interface UpstreamRequest {
  /** Origin of the upstream, e.g. `http://127.0.0.1:3000`. */
  origin: string;
  /** Path and query exactly as sent: never normalised, so encoded values stay encoded. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | FormData | undefined;
}

/** A base URL split once per snapshot: origin plus a path prefix without a trailing slash. */
export interface BaseUrl {
  origin: string;
  prefix: string;
}

export function parseBaseUrl(url: string): BaseUrl {
  const u = new URL(url);
  return { origin: u.origin, prefix: u.pathname.replace(/\/+$/, '') };
}

/**
 * Tool arguments (already validated) → the upstream request. Only the binding decides what goes
 * where: path values are encoded per segment under the fixed prefix, so no argument can change
 * the host or climb out of the base path.
 */
export function buildRequest(
  binding: RequestBinding,
  base: BaseUrl,
  args: Record<string, unknown>,
  staticHeaders: Record<string, string>,
  identityHeaders?: Record<string, string>,
): UpstreamRequest {
  let path = base.prefix;
  for (const part of binding.pathParts) {
    path += typeof part === 'string' ? part : serializePathParam(part, args[part.arg]);
  }
  const query: string[] = binding.fixedQuery ? [binding.fixedQuery] : [];
  for (const p of binding.query) {
    const v = args[p.arg];
    if (v !== undefined) query.push(...serializeQueryParam(p, v));
  }
  if (query.length > 0) path += `?${query.join('&')}`;

  const headers: Record<string, string> = { accept: binding.accept };
  for (const p of binding.headers) {
    const v = args[p.arg];
    if (v !== undefined) headers[p.name.toLowerCase()] = serializeHeaderParam(p, v);
  }
  // Static headers are the operator's credentials (an API key): an argument cannot replace them.
  Object.assign(headers, staticHeaders);
  // Set last, so neither arguments nor static config can spoof who the caller is.
  if (identityHeaders) Object.assign(headers, identityHeaders);
  const cookies = binding.cookies.filter((p) => args[p.arg] !== undefined).map((p) => serializeCookieParam(p, args[p.arg]));
  if (cookies.length > 0) headers.cookie = cookies.join('; ');

  const encoded = binding.body ? encodeBody(binding.body, args) : undefined;
  if (encoded?.contentType) headers['content-type'] = encoded.contentType;
  return { origin: base.origin, path: path || '/', method: binding.method, headers, body: encoded?.body };
}
