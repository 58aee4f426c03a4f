import type { RawCors } from '../config/types.js';
import { isObject, type JsonObject, type OpenApiDoc } from './types.js';

/**
 * What a spec says about its own security and CORS, in OpenAPI terms and in HAPI's: an oauth2
 * `securitySchemes` entry (`x-client-id`, HAPI's `x-hapi.security[].<scheme>.client_id`), the
 * requirements that use it (top-level or per-operation `security`, or a scheme named in `x-hapi.security`),
 * and HAPI's `x-hapi.cors` / `x-hapi-allowed-origins`.
 */

export interface SpecOAuth {
  /** The key under components.securitySchemes. */
  scheme: string;
  authorizationUrl: string | undefined;
  tokenUrl: string | undefined;
  scopes: string[];
  /** From `x-client-id` on the scheme or its flow, or HAPI's `client_id`. */
  clientId: string | undefined;
  /** HAPI's `well-known`: the authorization server's metadata URL. */
  wellKnown: string | undefined;
  /** Some requirement (top-level, an operation's, or HAPI's `x-hapi.security`) names this scheme. */
  required: boolean;
}

/** The first oauth2 scheme a requirement uses, else the first oauth2 scheme. */
export function readSpecOAuth(doc: OpenApiDoc): SpecOAuth | undefined {
  const schemes = isObject(doc.components?.securitySchemes) ? (doc.components.securitySchemes as Record<string, unknown>) : {};
  const hapi = hapiSecurity(doc);
  const used = requiredSchemes(doc);
  for (const name of Object.keys(hapi)) used.add(name);
  const oauth = Object.entries(schemes).filter(([, s]) => isObject(s) && s.type === 'oauth2' && isObject(s.flows));
  const chosen = oauth.find(([name]) => used.has(name)) ?? oauth[0];
  if (!chosen) return undefined;
  const [name, s] = chosen as [string, JsonObject & { flows: Record<string, unknown> }];
  const flows = s.flows;
  const flow = [flows.authorizationCode, flows.implicit, flows.clientCredentials, ...Object.values(flows)].find(isObject);
  if (!flow) return undefined;
  return {
    scheme: name,
    authorizationUrl: str(flow.authorizationUrl),
    tokenUrl: str(flow.tokenUrl),
    scopes: isObject(flow.scopes) ? Object.keys(flow.scopes) : [],
    clientId: str(s['x-client-id']) ?? str(flow['x-client-id']) ?? str(hapi[name]?.client_id) ?? str(hapi[name]?.clientId),
    wellKnown: str(s['x-well-known']) ?? str(hapi[name]?.['well-known']),
    required: used.has(name),
  };
}

/** HAPI's CORS keys as the config's `cors` block; undefined when the spec has none (or `enabled: false`). */
export function readSpecCors(doc: OpenApiDoc): RawCors | undefined {
  const x = isObject(doc['x-hapi']) ? (doc['x-hapi'] as JsonObject) : {};
  const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(v) ? v.map(String) : undefined);
  const allowed = list(doc['x-hapi-allowed-origins']);
  if (!isObject(x.cors)) return allowed ? { allowedOrigins: allowed } : undefined;
  const c = x.cors;
  if (c.enabled === false) return undefined;
  const origins = list(c.origin) ?? list(c.origins) ?? allowed ?? [];
  return {
    allowedOrigins: origins,
    ...(list(c.methods) ? { allowedMethods: list(c.methods) } : {}),
    ...(list(c.headers) ? { allowedHeaders: list(c.headers) } : {}),
    ...(list(c.exposedHeaders) ? { exposedHeaders: list(c.exposedHeaders) } : {}),
    ...(typeof c.credentials === 'boolean' ? { allowCredentials: c.credentials } : {}),
    ...(typeof c.maxAge === 'number' || typeof c.maxAge === 'string' ? { maxAge: c.maxAge } : {}),
  };
}

/**
 * HAPI's security file (`apiVersion: mcp.com.ai/v1`, `kind: Security`) as the partial OpenAPI document
 * it stands for: `spec.securitySchemes` → components.securitySchemes, `spec.security.<scheme>` →
 * `x-hapi.security` (client_id, well-known), `spec.cors` → `x-hapi.cors`.
 */
export function isHapiSecurityDocument(doc: unknown): doc is JsonObject & { kind: 'Security' } {
  return isObject(doc) && doc.kind === 'Security' && isObject(doc.spec);
}

export function hapiSecurityToPartial(doc: JsonObject): JsonObject {
  const spec = doc.spec as JsonObject;
  const out: JsonObject = {};
  if (isObject(spec.securitySchemes)) out.components = { securitySchemes: spec.securitySchemes };
  const hapi: JsonObject = {};
  if (isObject(spec.security)) hapi.security = Object.entries(spec.security).map(([name, v]) => ({ [name]: isObject(v) ? v : {} }));
  else if (Array.isArray(spec.security)) hapi.security = spec.security;
  if (isObject(spec.cors)) hapi.cors = spec.cors;
  if (Object.keys(hapi).length > 0) out['x-hapi'] = hapi;
  return out;
}

/** `x-hapi.security` as a list (`- scheme: {client_id}`) or a map (`scheme: {client_id}`) → by scheme. */
function hapiSecurity(doc: OpenApiDoc): Record<string, JsonObject> {
  const x = isObject(doc['x-hapi']) ? (doc['x-hapi'] as JsonObject) : {};
  const entries = Array.isArray(x.security) ? x.security.filter(isObject).flatMap((e) => Object.entries(e)) : isObject(x.security) ? Object.entries(x.security) : [];
  return Object.fromEntries(entries.map(([k, v]) => [k, isObject(v) ? v : {}]));
}

/** Schemes named by the top-level `security` or any operation's. */
function requiredSchemes(doc: OpenApiDoc): Set<string> {
  const names = new Set<string>();
  const add = (security: unknown) => {
    if (Array.isArray(security)) for (const req of security) if (isObject(req)) for (const k of Object.keys(req)) names.add(k);
  };
  add(doc.security);
  for (const item of Object.values(doc.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item)) if (isObject(op)) add(op.security);
  }
  return names;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
