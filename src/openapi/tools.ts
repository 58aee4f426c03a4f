import type { RawFilter, ServerConfig } from '../config/types.js';
import { AppError } from '../errors.js';
import { createGlobMatcher } from '../util/glob.js';
import { isHttpUrl } from '../util/url.js';
import { didYouMean } from '../util/suggest.js';
import type { LoadedSpec } from './load.js';
import { NameRegistry, nameFromRoute, sanitizeName } from './names.js';
import { listOperations, serverUrl, type Operation } from './operations.js';
import { SchemaConverter } from './schema.js';
import { buildTool, type ToolDef } from './tool.js';
import { readSpecOAuth, type SpecOAuth } from './security.js';
import { isObject } from './types.js';

export interface ToolSet {
  tools: ToolDef[];
  /** The upstream base URL for operations without their own `servers`. */
  baseUrl: string;
  title: string | undefined;
  version: string | undefined;
  description: string | undefined;
  warnings: string[];
  /** Operations in the spec before include/exclude. */
  operationCount: number;
  /** The spec's oauth2 scheme in use (else its first), for HAPI-style setups that describe OAuth in the spec. */
  oauth: SpecOAuth | undefined;
  /** Generated name → published name, for tools that tools.overrides renamed. */
  renamed: Map<string, string>;
  /** Descriptions of the spec's top-level `tags`, by tag name (for search). */
  tagDescriptions: Map<string, string>;
}

/** Spec → the tools one server publishes, after filters, overrides and naming. */
export function buildToolSet(spec: LoadedSpec, server: ServerConfig): ToolSet {
  const { doc } = spec;
  const dialect = spec.version === '3.1' ? '3.1' : '3.0';
  const baseUrl = resolveBaseUrl(spec, server);
  const input = new SchemaConverter(doc, dialect, 'input');
  const output = server.tools.outputSchema ? new SchemaConverter(doc, dialect, 'output') : undefined;
  const keep = createFilter(server.tools.include, server.tools.exclude);
  const names = new NameRegistry(server.tools.maxNameLength);
  const operations = listOperations(doc);
  const tools: ToolDef[] = [];
  const usedOverrides = new Set<string>();
  const renamed = new Map<string, string>();
  // Every name an operation answers to (operationId, generated name), filtered out or not.
  const known = new Set<string>();
  let bigOutputs = 0;
  const unreachable: string[] = [];
  // Headers the sidecar sets itself (identity, static credentials) are never offered as arguments.
  const reservedHeaders = new Set([...Object.keys(server.auth?.identityHeaders ?? {}), ...Object.keys(server.upstream.headers)].map((h) => h.toLowerCase()));
  const schemes = isObject(doc.components?.securitySchemes) ? (doc.components.securitySchemes as Record<string, unknown>) : {};
  const oauthSchemes = new Set(Object.entries(schemes).filter(([, s]) => isObject(s) && (s.type === 'oauth2' || s.type === 'openIdConnect')).map(([k]) => k));

  for (const operation of operations) {
    const opId = typeof operation.op.operationId === 'string' ? operation.op.operationId : undefined;
    const generated = (opId && sanitizeName(opId)) || nameFromRoute(operation.method, operation.path);
    const tags = Array.isArray(operation.op.tags) ? operation.op.tags.map(String) : [];
    if (opId) known.add(opId);
    known.add(generated);
    if (!keep({ opId, name: generated, tags, method: operation.method, path: operation.path })) continue;
    const own = operation.servers?.[0];
    if (own && !isHttpUrl(serverUrl(own, baseUrl))) {
      // A placeholder such as DigitalOcean's `https://` for a presigned upload URL: nowhere to send the call.
      unreachable.push(`${operation.method.toUpperCase()} ${operation.path}${opId ? ` (${opId})` : ''}: its servers[0].url ${JSON.stringify(own.url)} is not an http(s) URL; no tool for it`);
      continue;
    }
    const overrideKey = [opId, generated].find((k) => k !== undefined && k in server.tools.overrides);
    const override = overrideKey ? server.tools.overrides[overrideKey] : undefined;
    if (overrideKey) usedOverrides.add(overrideKey);
    const name = names.claim(override?.name ?? generated, `${operation.method} ${operation.path}`);
    if (name !== generated) renamed.set(generated, name);
    const tool = buildTool(name, operation, {
      doc,
      input,
      output,
      operationBaseUrl: (op: Operation) => (op.servers?.[0] ? serverUrl(op.servers[0], baseUrl) : undefined),
      reservedHeaders,
      maxOutputBytes: server.tools.maxOutputSchemaBytes,
    });
    if (tool.outputTooBig) bigOutputs++;
    tool.oauthScopes = oauthScopes(tool.security, oauthSchemes);
    const aliases = specAliases(operation.op);
    if (aliases.length > 0) tool.aliases = aliases;
    const max = server.tools.maxOutputSchemaBytes;
    // Responses whose shared $defs alone are over the cap were left out unbuilt (above); the rest are small.
    if (tool.definition.outputSchema && max > 0 && JSON.stringify(tool.definition.outputSchema).length > max) {
      const { outputSchema: _dropped, ...rest } = tool.definition;
      tool.definition = rest;
      bigOutputs++;
    }
    if (override?.title) tool.definition.title = override.title;
    if (override?.description) tool.definition.description = override.description;
    if (override?.annotations) tool.definition.annotations = { ...tool.definition.annotations, ...override.annotations };
    tools.push(tool);
  }
  const warnings = [...new Set([...input.warnings, ...(output?.warnings ?? [])]), ...unreachable];
  if (bigOutputs > 0) warnings.push(`${bigOutputs} tools have response schemas over tools.maxOutputSchemaSize; their outputSchema is left out (structuredContent is still returned)`);
  for (const key of Object.keys(server.tools.overrides)) {
    if (!usedOverrides.has(key)) warnings.push(`tools.overrides.${key} matches no operation${known.has(key) ? ' (that operation is filtered out by tools.include / tools.exclude)' : didYouMean(key, known)}`);
  }
  warnings.push(...unmatchedFilters(server.tools, known));
  return {
    tools,
    baseUrl,
    title: doc.info?.title,
    version: doc.info?.version,
    description: doc.info?.description,
    warnings,
    operationCount: operations.length,
    oauth: readSpecOAuth(doc),
    renamed,
    tagDescriptions: tagDescriptions(doc.tags),
  };
}

/** Words a spec offers as other names for an operation, in the vendor extensions that carry them. */
function specAliases(op: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ['x-aliases', 'x-synonyms', 'x-keywords', 'x-search-keywords']) {
    const v = op[key];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

function tagDescriptions(tags: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(tags)) return out;
  for (const t of tags) {
    if (!isObject(t) || typeof t.name !== 'string') continue;
    const text = [t.description, isObject(t.externalDocs) ? t.externalDocs.description : undefined, t['x-displayName']].filter((x) => typeof x === 'string').join(' ');
    if (text) out.set(t.name, text);
  }
  return out;
}

/** A tools.include / tools.exclude operation pattern that names no operation is most likely a typo. */
function unmatchedFilters(tools: ServerConfig['tools'], known: Set<string>): string[] {
  const out: string[] = [];
  for (const [key, filter] of [['include', tools.include], ['exclude', tools.exclude]] as const) {
    for (const pattern of filter?.operations ?? []) {
      const matches = createGlobMatcher([pattern]);
      if ([...known].some(matches)) continue;
      out.push(`tools.${key}.operations: "${pattern}" matches no operationId or tool name${/[*?]/.test(pattern) ? '' : didYouMean(pattern, known)}`);
    }
  }
  return out;
}

/** Requirement alternatives → scope lists; an alternative without any OAuth scheme means none needed. */
function oauthScopes(security: Record<string, string[]>[] | undefined, oauth: Set<string>): string[][] {
  if (!Array.isArray(security) || oauth.size === 0) return [];
  const alternatives: string[][] = [];
  for (const req of security) {
    if (!isObject(req)) continue;
    const names = Object.keys(req).filter((k) => oauth.has(k));
    if (names.length === 0) return [];
    alternatives.push([...new Set(names.flatMap((n) => (Array.isArray(req[n]) ? req[n].map(String) : [])))]);
  }
  return alternatives.some((a) => a.length === 0) ? [] : alternatives;
}

/** Config baseUrl, else the spec's first server (resolved against the spec's URL), else the spec's origin. */
function resolveBaseUrl(spec: LoadedSpec, server: ServerConfig): string {
  if (server.upstream.baseUrl) return server.upstream.baseUrl;
  const specUrl = spec.from.kind === 'url' ? spec.from.url : undefined;
  const first = spec.doc.servers?.[0];
  const fromSpec = first ? serverUrl(first, specUrl) : undefined;
  if (isHttpUrl(fromSpec)) return fromSpec;
  if (specUrl) return new URL('/', specUrl).href;
  throw new AppError(
    'SPEC_INVALID',
    `server "${server.name}": no upstream base URL: the spec has no absolute servers[0].url; set upstream.baseUrl`,
  );
}

interface FilterSubject {
  opId: string | undefined;
  name: string;
  tags: string[];
  method: string;
  path: string;
}

function createFilter(include: RawFilter | undefined, exclude: RawFilter | undefined): (s: FilterSubject) => boolean {
  const inc = include ? compileFilter(include) : undefined;
  const exc = exclude ? compileFilter(exclude) : undefined;
  return (s) => (!inc || inc(s)) && !(exc && exc(s));
}

/** Matches when every listed criterion matches (any value within one list). */
function compileFilter(f: RawFilter): (s: FilterSubject) => boolean {
  const ops = f.operations ? createGlobMatcher(f.operations) : undefined;
  const paths = f.paths ? createGlobMatcher(f.paths) : undefined;
  const methods = f.methods ? new Set(f.methods.map((m) => m.toLowerCase())) : undefined;
  const tags = f.tags ? new Set(f.tags) : undefined;
  return (s) =>
    (!ops || ops(s.name) || (s.opId !== undefined && ops(s.opId))) &&
    (!paths || paths(s.path)) &&
    (!methods || methods.has(s.method)) &&
    (!tags || s.tags.some((t) => tags.has(t)));
}
