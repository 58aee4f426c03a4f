import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from '../config/types.js';

/** A compiled CORS policy: origin matching and the fixed header values, built once per snapshot. */
export interface CorsPolicy {
  allows(origin: string): boolean;
  /** Headers for an actual (non-preflight) response to an allowed origin. */
  responseHeaders(origin: string): Record<string, string>;
  /** Headers for a preflight answer to an allowed origin. */
  preflightHeaders(origin: string): Record<string, string>;
}

/** `https://app.example.com`, `https://*.example.com` (any subdomain), `http://localhost:*` (any port), `*`. */
export function compileOriginMatcher(patterns: readonly string[]): (origin: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const wild = patterns.filter((p) => p.includes('*')).map(wildcardOrigin);
  return (origin) => {
    const o = origin.toLowerCase();
    return exact.has(o) || wild.some((re) => re.test(o));
  };
}

function wildcardOrigin(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const body = escaped
    .replace(/:\*$/, '(:\\d+)?') // http://localhost:* → any port
    .replace(/\*\\\./g, '([a-z0-9-]+\\.)+') // https://*.example.com → one or more subdomain labels
    .replace(/\*/g, '[^/]*');
  return new RegExp(`^${body}$`);
}

export function compileCors(c: CorsConfig): CorsPolicy {
  const allows = compileOriginMatcher(c.allowedOrigins);
  const anyOrigin = c.allowedOrigins.includes('*') && !c.allowCredentials;
  const base = (origin: string): Record<string, string> => {
    const h: Record<string, string> = { 'access-control-allow-origin': anyOrigin ? '*' : origin };
    if (!anyOrigin) h.vary = 'Origin';
    if (c.allowCredentials) h['access-control-allow-credentials'] = 'true';
    return h;
  };
  const exposed = c.exposedHeaders.join(', ');
  const methods = c.allowedMethods.join(', ');
  const headers = c.allowedHeaders.join(', ');
  const maxAge = String(c.maxAgeSeconds);
  return {
    allows,
    responseHeaders: (origin) => ({ ...base(origin), 'access-control-expose-headers': exposed }),
    preflightHeaders: (origin) => ({
      ...base(origin),
      'access-control-allow-methods': methods,
      'access-control-allow-headers': headers,
      'access-control-max-age': maxAge,
    }),
  };
}

/** Open to every origin: the OAuth metadata documents, which hold nothing secret. */
export const OPEN_CORS: CorsPolicy = compileCors({
  allowedOrigins: ['*'],
  allowedMethods: ['GET', 'OPTIONS'],
  allowedHeaders: ['Authorization', 'Content-Type', 'MCP-Protocol-Version'],
  exposedHeaders: [],
  allowCredentials: false,
  maxAgeSeconds: 86_400,
});

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
}

/** Adds the CORS response headers for an allowed origin to a response not yet written. */
export function applyCorsHeaders(res: ServerResponse, policy: CorsPolicy | undefined, origin: string | undefined): void {
  if (!policy || !origin || !policy.allows(origin)) return;
  for (const [k, v] of Object.entries(policy.responseHeaders(origin))) res.setHeader(k, v);
}
