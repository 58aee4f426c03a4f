import { isObject, type JsonObject } from '../types.js';

export interface InlineOptions {
  /** How often one def may be expanded on one path: 2 shows one level of a recursive schema. */
  maxRepeats: number;
  /** Nesting of objects with `properties` deeper than this becomes a cut point. */
  maxDepth: number;
  /** Def expansions per tool before the rest become cut points (shared defs can explode when copied). */
  maxExpansions: number;
}

/**
 * Copies a schema with every `#/$defs/<key>` reference replaced by the def itself, for dialects
 * without `$ref`. Recursion, depth and a budget of expansions end in a cut point: a schema with
 * no type that says in its description what was left out, so the model still knows what to send.
 */
export function inlineRefs(schema: unknown, defs: JsonObject | undefined, opts: InlineOptions): unknown {
  let expansions = 0;
  const stack: string[] = [];
  const walk = (node: unknown, depth: number): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, depth));
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      const key = node.$ref.startsWith('#/$defs/') ? node.$ref.slice('#/$defs/'.length) : undefined;
      const target = key !== undefined && defs ? defs[key] : undefined;
      const note = siblingsOf(node);
      if (target === undefined) return cut(note, `(unresolved reference ${node.$ref})`);
      const repeats = stack.filter((k) => k === key).length;
      if (repeats >= opts.maxRepeats) return cut(note, `(a ${key}, recursive: the same shape as the enclosing ${key}; send it as JSON)`);
      if (expansions >= opts.maxExpansions || depth >= opts.maxDepth) return cut(note, `(a ${key} object; its fields are not described at this depth; send it as JSON)`);
      expansions++;
      stack.push(key!);
      const inlined = walk(target, depth);
      stack.pop();
      return merge(inlined, note);
    }
    const nested = isObject(node.properties) ? depth + 1 : depth;
    if (nested > opts.maxDepth) return cut(annotationsOf(node), '(an object nested too deep to describe here; send it as JSON)');
    const out: JsonObject = {};
    for (const k of Object.keys(node)) {
      if (k === '$defs' || k === '$schema' || k === 'definitions') continue;
      const v = node[k];
      out[k] = k === 'properties' || k === 'patternProperties' || k === 'dependentSchemas' ? mapValues(v, (s) => walk(s, nested)) : k === 'enum' || k === 'const' || k === 'examples' || k === 'default' || k === 'required' ? v : walk(v, nested);
    }
    return out;
  };
  return walk(schema, 0);
}

function mapValues(v: unknown, fn: (s: unknown) => unknown): unknown {
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) out[k] = fn(v[k]);
  return out;
}

/** Annotations written next to a `$ref` (3.1 siblings): kept on the inlined schema. */
function siblingsOf(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(node)) if (k !== '$ref') out[k] = node[k];
  return out;
}

function annotationsOf(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of ['title', 'description', 'deprecated']) if (k in node) out[k] = node[k];
  return out;
}

function merge(inlined: unknown, siblings: JsonObject): unknown {
  if (Object.keys(siblings).length === 0) return inlined;
  if (inlined === true) return siblings;
  if (!isObject(inlined)) return { allOf: [inlined], ...siblings };
  return { ...inlined, ...siblings };
}

/** A cut point: no type (any value), with what was left out in its description. */
export function cut(annotations: JsonObject, why: string): JsonObject {
  const out: JsonObject = { ...annotations };
  delete out.allOf;
  out.description = typeof annotations.description === 'string' && annotations.description ? `${annotations.description} ${why}` : why;
  return out;
}

/** Appends notes to a schema's description: what a dialect cannot say as a keyword, the model still reads. */
export function withNotes(out: JsonObject, notes: string[]): JsonObject {
  if (notes.length === 0) return out;
  const text = `(${notes.join('; ')})`;
  out.description = typeof out.description === 'string' && out.description ? `${out.description} ${text}` : text;
  return out;
}

/** A constraint keyword as words: `pattern: ^a+$`, `at most 10 characters`. */
export function describeConstraint(key: string, value: unknown): string | undefined {
  const v = typeof value === 'string' ? value : JSON.stringify(value);
  switch (key) {
    case 'pattern':
      return `pattern: ${v}`;
    case 'format':
      return `format: ${v}`;
    case 'minLength':
      return `at least ${v} characters`;
    case 'maxLength':
      return `at most ${v} characters`;
    case 'minimum':
      return `minimum ${v}`;
    case 'maximum':
      return `maximum ${v}`;
    case 'exclusiveMinimum':
      return `greater than ${v}`;
    case 'exclusiveMaximum':
      return `less than ${v}`;
    case 'multipleOf':
      return `a multiple of ${v}`;
    case 'minItems':
      return `at least ${v} items`;
    case 'maxItems':
      return `at most ${v} items`;
    case 'uniqueItems':
      return value === true ? 'items unique' : undefined;
    case 'minProperties':
      return `at least ${v} entries`;
    case 'maxProperties':
      return `at most ${v} entries`;
    case 'default':
      return `default: ${v.length > 80 ? `${v.slice(0, 79)}…` : v}`;
    case 'const':
      return `must be ${v}`;
    case 'deprecated':
      return value === true ? 'deprecated' : undefined;
    case 'contentEncoding':
      return `${v}-encoded`;
    case 'contentMediaType':
      return `media type ${v}`;
    case 'enum':
      return `one of ${v.length > 400 ? `${v.slice(0, 399)}…` : v}`;
    default:
      return undefined;
  }
}

export const TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'] as const;

/** The types a schema names: `type` as a list, or none. */
export function typesOf(s: JsonObject): string[] {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  return [];
}

/** A schema that says nothing about shape (any value), e.g. a cut point or `{}`. */
export function isShapeless(s: JsonObject): boolean {
  return typesOf(s).length === 0 && !('enum' in s) && !('const' in s) && !isObject(s.properties) && !('items' in s) && !['anyOf', 'oneOf', 'allOf'].some((k) => Array.isArray(s[k]));
}

/** An object schema with no named properties: a map, or any object. */
export function isOpenObject(s: JsonObject): boolean {
  const types = typesOf(s);
  return types.includes('object') && types.filter((t) => t !== 'null').length === 1 && (!isObject(s.properties) || Object.keys(s.properties).length === 0);
}

export const JSON_TEXT_NOTE = 'send it as JSON text';
