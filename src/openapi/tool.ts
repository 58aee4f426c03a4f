import type { ToolAnnotationsConfig } from '../config/types.js';
import type { BodyBinding, ParamBinding, ParamLocation, PathPart, RequestBinding } from './binding.js';
import { isBinarySchema, pickBodyMedia } from './media.js';
import { sanitizeName } from './names.js';
import type { Operation } from './operations.js';
import { deref } from './refs.js';
import { refWithSiblings } from './repair.js';
import type { SchemaConverter } from './schema.js';
import { isObject, type JsonObject, type MediaTypeObject, type OpenApiDoc, type ParameterObject, type RequestBodyObject } from './types.js';

/** A tool as published in tools/list (MCP `Tool`). */
export interface ToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  annotations?: ToolAnnotationsConfig & { title?: string };
}

export interface ToolDef {
  name: string;
  operationId: string | undefined;
  method: string;
  path: string;
  tags: string[];
  definition: ToolDefinition;
  binding: RequestBinding;
  /** OAuth scopes from the operation's security requirements (for the auth layer). */
  security: Record<string, string[]>[] | undefined;
  /**
   * OAuth scope alternatives from the spec's oauth2/openIdConnect requirements: any one inner list
   * suffices. Empty: the operation needs none. Filled in by buildToolSet.
   */
  oauthScopes: string[][];
  /** Its response schema was over the size cap and is left out. */
  outputTooBig?: boolean;
  /** Other names the spec gives the operation (`x-aliases`, `x-synonyms`, `x-keywords`), for search. */
  aliases?: string[];
}

export interface ToolContext {
  doc: OpenApiDoc;
  input: SchemaConverter;
  output: SchemaConverter | undefined;
  /** Resolves operation-level servers to a URL (undefined: use the server's base URL). */
  operationBaseUrl: (op: Operation) => string | undefined;
  /** Header parameters the sidecar sets itself (identity headers): never taken from arguments. */
  reservedHeaders?: Set<string>;
  /** Output schemas whose shared `$defs` alone exceed this are left out before they are built. */
  maxOutputBytes?: number;
}

const MAX_DESCRIPTION = 2000;
const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const MAX_ARG_NAME = 64;
const LOCATION_ORDER: ParamLocation[] = ['path', 'query', 'header', 'cookie'];
/** Headers a tool argument may never set: hop-by-hop, framing and credentials. */
const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-connection', 'authorization', 'cookie', 'content-type', 'accept']);

/** Builds one tool from one operation. `name` is already unique. */
export function buildTool(name: string, operation: Operation, ctx: ToolContext): ToolDef {
  const { method, path, op } = operation;
  const deps = new Set<string>();
  const properties: JsonObject = {};
  const required: string[] = [];
  const args = new Set<string>();
  const claim = (wanted: string, location: string): string => {
    const safe = safeArgName(wanted);
    let arg = safe;
    if (args.has(arg)) arg = fitArgName(`${location}_${safe}`, '');
    for (let n = 2; args.has(arg); n++) arg = fitArgName(`${location}_${safe}`, `_${n}`);
    args.add(arg);
    return arg;
  };

  const params = withTemplateParams(operation.parameters, path);
  const byLocation: Record<ParamLocation, ParamBinding[]> = { path: [], query: [], header: [], cookie: [] };
  for (const location of LOCATION_ORDER) {
    for (const p of params.filter((x) => x.in === location)) {
      if (location === 'header' && (FORBIDDEN_HEADERS.has(p.name!.toLowerCase()) || ctx.reservedHeaders?.has(p.name!.toLowerCase()))) continue;
      const arg = claim(p.name!, location);
      const { schema, contentType } = parameterSchema(p, ctx.input, deps);
      properties[arg] = schema;
      if (p.required || location === 'path') required.push(arg);
      byLocation[location].push({
        arg,
        name: p.name!,
        style: p.style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple'),
        explode: p.explode ?? (p.style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple')) === 'form',
        allowReserved: p.allowReserved === true,
        ...(contentType ? { contentType } : {}),
      });
    }
  }

  const body = buildBody(op.requestBody, ctx, deps, claim, properties, required);
  // Declares the dialect the converter writes (SEP-1613: 2020-12 is also the default).
  const inputSchema: JsonObject = { $schema: JSON_SCHEMA_2020_12, type: 'object', properties, additionalProperties: false };
  if (required.length > 0) inputSchema.required = required;
  const defs = ctx.input.defsFor(deps);
  if (defs) inputSchema.$defs = defs;

  const { outputSchema, accept, outputTooBig } = buildOutput(op.responses, ctx);
  const [pathOnly, fixedQuery = ''] = path.split('?', 2) as [string, string?];
  const binding: RequestBinding = {
    method: method.toUpperCase(),
    baseUrl: ctx.operationBaseUrl(operation),
    pathParts: compilePath(pathOnly, byLocation.path),
    fixedQuery,
    query: byLocation.query,
    headers: byLocation.header,
    cookies: byLocation.cookie,
    body,
    accept,
  };

  const definition: ToolDefinition = {
    name,
    description: describe(op.summary, op.description, op.deprecated === true, method, path),
    inputSchema,
    annotations: annotationsFor(method),
  };
  if (typeof op.summary === 'string' && op.summary.trim()) definition.title = op.summary.trim().slice(0, 200);
  if (outputSchema) definition.outputSchema = outputSchema;
  return {
    name,
    operationId: typeof op.operationId === 'string' ? op.operationId : undefined,
    method: method.toUpperCase(),
    path,
    tags: Array.isArray(op.tags) ? op.tags.filter((t) => typeof t === 'string') : [],
    definition,
    binding,
    security: Array.isArray(op.security) ? op.security : (ctx.doc.security as ToolDef['security']),
    oauthScopes: [],
    ...(outputTooBig ? { outputTooBig } : {}),
  };
}

/** Property names LLM APIs accept: `^[A-Za-z0-9_.-]{1,64}$`. The wire name stays in the binding. */
function safeArgName(name: string): string {
  return (name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_{2,}/g, '_').replace(/^_+|_+$/g, '') || sanitizeName(name) || 'arg').slice(0, MAX_ARG_NAME);
}

function fitArgName(name: string, suffix: string): string {
  return `${name.slice(0, MAX_ARG_NAME - suffix.length)}${suffix}`;
}

/** Template parameters the spec forgot to declare are still required path parameters. */
function withTemplateParams(params: ParameterObject[], path: string): ParameterObject[] {
  const declared = new Set(params.filter((p) => p.in === 'path').map((p) => p.name));
  const out = params.filter((p) => p.in !== 'path' || path.includes(`{${p.name}}`));
  for (const m of path.matchAll(/\{([^}]+)\}/g)) {
    if (!declared.has(m[1])) out.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  return out;
}

function parameterSchema(p: ParameterObject, conv: SchemaConverter, deps: Set<string>): { schema: JsonObject; contentType?: string } {
  let raw: unknown = p.schema;
  let contentType: string | undefined;
  if (raw === undefined && isObject(p.content)) {
    const [mt, media] = Object.entries(p.content)[0] ?? [];
    contentType = mt;
    raw = isObject(media) ? media.schema : undefined;
  }
  // A schema that is not one (`false`, null) leaves a parameter that the API still reads: any value.
  const schema = raw === undefined ? { type: 'string' } : conv.convertProperty(p.name!, raw, deps, {})!;
  const annotated = withAnnotations(schema, p.description, p.deprecated);
  return contentType ? { schema: annotated, contentType } : { schema: annotated };
}

/** The parameter's or body's own description and deprecation, never beside a `$ref` (refWithSiblings). */
function withAnnotations(schema: JsonObject, description: unknown, deprecated?: boolean): JsonObject {
  const extra: JsonObject = {};
  if (typeof description === 'string' && description.trim() && typeof schema.description !== 'string') extra.description = description.trim();
  if (deprecated) extra.deprecated = true;
  if (Object.keys(extra).length === 0) return schema;
  return typeof schema.$ref === 'string' ? refWithSiblings(schema, extra) : { ...schema, ...extra };
}

function buildBody(
  rawBody: unknown,
  ctx: ToolContext,
  deps: Set<string>,
  claim: (wanted: string, location: string) => string,
  properties: JsonObject,
  required: string[],
): BodyBinding | undefined {
  const rb = deref<RequestBodyObject>(ctx.doc, rawBody);
  if (!rb || !isObject(rb.content)) return undefined;
  const picked = pickBodyMedia(rb.content, (schema) => ctx.input.resolve(schema));
  if (!picked) return undefined;
  const { mediaType, media, kind } = picked;
  const bodyRequired = rb.required === true;
  const binding: BodyBinding = { mediaType, kind, props: undefined, wholeArg: undefined, encoding: {}, binaryProps: new Set(), required: bodyRequired };
  if (isObject(media.encoding)) binding.encoding = media.encoding as BodyBinding['encoding'];

  const flat = kind === 'json' || kind === 'form' || kind === 'multipart' ? flattenable(media.schema, ctx.input) : undefined;
  if (flat) {
    binding.props = [];
    for (const [prop, sub] of Object.entries(flat.properties)) {
      const resolved = ctx.input.resolve(sub);
      if (resolved?.readOnly === true) continue;
      const schema = ctx.input.convertProperty(prop, sub, deps);
      if (!schema) continue;
      const arg = claim(prop, 'body');
      properties[arg] = schema;
      if (resolved && isBinarySchema(resolved)) binding.binaryProps.add(prop);
      if (bodyRequired && flat.required.includes(prop)) required.push(arg);
      binding.props.push({ arg, prop });
    }
    return binding;
  }
  const arg = claim('body', 'request');
  binding.wholeArg = arg;
  let schema: JsonObject;
  if (kind === 'binary') schema = { type: 'string', contentEncoding: 'base64', description: `Request body (${mediaType}), base64-encoded.` };
  else if (kind === 'text') schema = { type: 'string', description: `Request body (${mediaType}).` };
  else schema = withAnnotations(media.schema === undefined ? {} : ctx.input.convertProperty(arg, media.schema, deps, {})!, rb.description);
  properties[arg] = schema;
  if (bodyRequired) required.push(arg);
  return binding;
}

/**
 * An object body whose properties can become top-level arguments: plain properties, or an allOf
 * of such objects. Bodies that are arrays, unions or open maps stay whole, under `body`.
 */
function flattenable(schema: unknown, conv: SchemaConverter, depth = 0): { properties: JsonObject; required: string[] } | undefined {
  const s = conv.resolve(schema);
  if (!s || depth > 8 || s.oneOf || s.anyOf || s.not) return undefined;
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) return undefined;
  if (s.type !== undefined && s.type !== 'object') return undefined;
  const properties: JsonObject = { ...(isObject(s.properties) ? s.properties : {}) };
  const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [];
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) {
      const sub = flattenable(part, conv, depth + 1);
      if (!sub) return undefined;
      Object.assign(properties, sub.properties);
      required.push(...sub.required);
    }
  }
  if (Object.keys(properties).length === 0) return undefined;
  return { properties, required };
}

function buildOutput(responses: unknown, ctx: ToolContext): { outputSchema?: JsonObject; accept: string; outputTooBig?: boolean } {
  if (!isObject(responses)) return { accept: 'application/json, */*;q=0.8' };
  const codes = Object.keys(responses).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort();
  const res = codes.map((c) => deref<JsonObject>(ctx.doc, responses[c])).find((r) => r && isObject(r.content));
  const content = res && isObject(res.content) ? (res.content as Record<string, MediaTypeObject>) : undefined;
  const types = content ? Object.keys(content) : [];
  const accept = types.length > 0 ? [...types, '*/*;q=0.8'].join(', ') : 'application/json, */*;q=0.8';
  if (!ctx.output || !content) return { accept };
  const json = Object.entries(content).find(([mt]) => /^application\/(.+\+)?json\b/i.test(mt));
  if (!json || !isObject(json[1]) || json[1].schema === undefined) return { accept };
  const top = ctx.output.resolve(json[1].schema);
  if (!top || (top.type !== 'object' && !(top.type === undefined && isObject(top.properties)))) return { accept };
  const deps = new Set<string>();
  let schema = ctx.output.convert(json[1].schema, deps);
  if (ctx.maxOutputBytes && ctx.output.defsSize(deps) > ctx.maxOutputBytes) return { accept, outputTooBig: true };
  const defs = ctx.output.defsFor(deps);
  if (typeof schema === 'object' && typeof schema.$ref === 'string' && defs) {
    // The top level must itself be `type: object`, so inline the referenced def there.
    schema = { ...(defs[schema.$ref.slice('#/$defs/'.length)] as JsonObject) };
  }
  if (typeof schema !== 'object') return { accept };
  const outputSchema: JsonObject = { ...schema, type: 'object' };
  if (defs) outputSchema.$defs = defs;
  return { outputSchema, accept };
}

function compilePath(template: string, params: ParamBinding[]): PathPart[] {
  const parts: PathPart[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{([^}]+)\}/g)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    const p = params.find((x) => x.name === m[1]);
    parts.push(p ?? m[0]);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function describe(summary: unknown, description: unknown, deprecated: boolean, method: string, path: string): string {
  const parts = [summary, description].filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  if (parts.length === 2 && parts[1]!.startsWith(parts[0]!)) parts.shift();
  let text = parts.join('\n\n') || `${method.toUpperCase()} ${path}`;
  if (deprecated) text = `[Deprecated] ${text}`;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

function annotationsFor(method: string): ToolAnnotationsConfig {
  switch (method) {
    case 'get':
    case 'head':
      return { readOnlyHint: true };
    case 'delete':
      return { destructiveHint: true, idempotentHint: true };
    case 'put':
      return { idempotentHint: true };
    default:
      return {};
  }
}
