import { deref } from './refs.js';
import {
  HTTP_METHODS,
  isObject,
  type HttpMethod,
  type OpenApiDoc,
  type OperationObject,
  type ParameterObject,
  type ServerObject,
} from './types.js';

export interface Operation {
  method: HttpMethod;
  /** The path template as written, e.g. `/pets/{petId}`. */
  path: string;
  op: OperationObject;
  /** Path-level parameters merged with the operation's (the operation wins on name + location). */
  parameters: ParameterObject[];
  /** Operation-, then path-level servers; undefined means the document's. */
  servers: ServerObject[] | undefined;
}

/** Every operation in document order. Path items and parameters may be `$ref`s. */
export function listOperations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  if (!isObject(doc.paths)) return out;
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = deref(doc, rawItem);
    if (!item) continue;
    const shared = resolveParameters(doc, item.parameters);
    for (const method of HTTP_METHODS) {
      const op = deref<OperationObject>(doc, item[method]);
      if (!op) continue;
      const own = resolveParameters(doc, op.parameters);
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      const servers = nonEmpty(op.servers) ?? nonEmpty(item.servers as ServerObject[] | undefined);
      out.push({ method, path, op, parameters, servers });
    }
  }
  return out;
}

function resolveParameters(doc: OpenApiDoc, list: unknown): ParameterObject[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((p) => deref<ParameterObject>(doc, p))
    .filter((p): p is ParameterObject => !!p && typeof p.name === 'string' && ['path', 'query', 'header', 'cookie'].includes(String(p.in)));
}

function nonEmpty(servers: ServerObject[] | undefined): ServerObject[] | undefined {
  return Array.isArray(servers) && servers.length > 0 ? servers : undefined;
}

/**
 * The URL of a server object with its variables substituted, resolved against `base`
 * (the spec's URL, or the configured upstream) when relative.
 */
export function serverUrl(server: ServerObject, base: string | undefined, overrides: Record<string, string> = {}): string | undefined {
  if (typeof server.url !== 'string') return undefined;
  const url = server.url.replace(/\{([^}]+)\}/g, (m, name: string) => overrides[name] ?? server.variables?.[name]?.default ?? m);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  if (!base || !URL.canParse(url, base)) return undefined;
  return new URL(url, base).href;
}
