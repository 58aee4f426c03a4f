import { isObject, type JsonObject } from './types.js';

// Resolved pointers per document: big specs point at the same few hundred components thousands of times.
const resolved = new WeakMap<object, Map<string, unknown>>();

/** Reads a JSON pointer (`#/a/b~1c`) inside `root`; undefined when it does not resolve. */
export function readPointer(root: unknown, ref: string): unknown {
  if (!isObject(root) && !Array.isArray(root)) return walkPointer(root, ref);
  let cache = resolved.get(root);
  if (!cache) resolved.set(root, (cache = new Map()));
  if (cache.has(ref)) return cache.get(ref);
  const node = walkPointer(root, ref);
  cache.set(ref, node);
  return node;
}

function walkPointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const body = ref.slice(1);
  if (body === '' || body === '/') return root;
  let node: unknown = root;
  for (const raw of body.slice(1).split('/')) {
    const key = raw.includes('%') || raw.includes('~') ? decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~') : raw;
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

/**
 * Follows `$ref` chains for non-schema objects (parameters, bodies, responses, path items).
 * Sibling keys win over the target's, as OpenAPI 3.1 allows for summary/description.
 * Returns undefined for dangling or circular chains.
 */
export function deref<T extends JsonObject>(root: unknown, value: unknown): T | undefined {
  let node = value;
  let siblings: JsonObject | undefined;
  const seen = new Set<string>();
  while (isObject(node) && typeof node.$ref === 'string') {
    const ref = node.$ref;
    if (seen.has(ref)) return undefined;
    seen.add(ref);
    if (Object.keys(node).length > 1) {
      const { $ref: _ignored, ...rest } = node;
      siblings = { ...rest, ...siblings };
    }
    node = readPointer(root, ref);
  }
  if (!isObject(node)) return undefined;
  return (siblings ? { ...node, ...siblings } : node) as T;
}
