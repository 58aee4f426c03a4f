import type { IncomingMessage } from 'node:http';
import type { ServerRuntime } from '../runtime/index.js';
import { parseProfileQuery, type ClientHints } from '../runtime/profiles.js';

/**
 * What an HTTP request says about its client for schema profiles: `?profile=` on the endpoint URL
 * and, for `auto`, the User-Agent. Undefined when neither matters (the common case: no lookup);
 * `{ error }` for an unknown `?profile=`.
 */
export function clientHintsOf(req: IncomingMessage, rt: ServerRuntime): ClientHints | { error: string } | undefined {
  const explicit = req.url?.includes('?') ? parseProfileQuery(req.url) : undefined;
  if (explicit && typeof explicit === 'object') return explicit;
  if (!explicit && rt.profiles.configured !== 'auto') return undefined;
  return { explicit, userAgent: req.headers['user-agent'] };
}
