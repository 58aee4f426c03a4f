import { isObject, type JsonObject } from '../types.js';
import { typesOf } from './inline.js';

/** A schema reduced for dialects without type lists, `oneOf`, `allOf` or null branches. */
export interface Simple {
  /** One `type` or none; `anyOf` for real unions; never `oneOf`/`allOf`/`null`. */
  schema: JsonObject;
  /** The value may also be null. */
  nullable: boolean;
}

/** Keywords that belong to one type: a type list is split into one branch per type with its own keywords. */
const TYPE_KEYWORDS: Record<string, string[]> = {
  object: ['properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties', 'dependentSchemas', 'dependentRequired', 'unevaluatedProperties'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'minContains', 'maxContains', 'unevaluatedItems'],
  string: ['pattern', 'minLength', 'maxLength', 'format', 'contentEncoding', 'contentMediaType'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'format'],
};
TYPE_KEYWORDS.integer = TYPE_KEYWORDS.number!;
const ANNOTATIONS = ['title', 'description', 'default', 'deprecated', 'examples'];

/**
 * `allOf` merged into one schema, `oneOf` read as `anyOf` (a model picks one branch either way),
 * `null` taken out of types, enums and branches into `nullable`. Returns undefined for `false`
 * (no value allowed), which callers leave out.
 */
export function simplify(input: unknown, depth = 0): Simple | undefined {
  if (input === false) return undefined;
  if (!isObject(input) || depth > 16) return { schema: {}, nullable: false };
  let s: JsonObject = { ...input };
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf;
    delete s.allOf;
    for (const part of parts) {
      const sub = simplify(part, depth + 1);
      if (!sub) return undefined;
      s = mergeInto(s, sub.nullable ? sub.schema : sub.schema);
    }
  }
  let nullable = false;
  const types = typesOf(s);
  if (types.includes('null')) {
    nullable = true;
    const rest = types.filter((t) => t !== 'null');
    if (rest.length === 0) delete s.type;
    else s.type = rest.length === 1 ? rest[0] : rest;
  }
  if (Array.isArray(s.enum) && s.enum.includes(null)) {
    nullable = true;
    s.enum = s.enum.filter((v) => v !== null);
  }
  if (s.const === null) {
    nullable = true;
    delete s.const;
  }
  const union = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  delete s.anyOf;
  delete s.oneOf;
  if (union.length > 0 && (typesOf(s).length > 0 || isObject(s.properties)) && union.every((b) => isObject(b) && b.type === undefined && !Array.isArray(b.anyOf) && !Array.isArray(b.oneOf))) {
    // Untyped branches next to a type only refine it (`oneOf: [{required: [a]}, {required: [b]}]`):
    // said in words; the full schema still checks them.
    const text = union.map((b) => JSON.stringify(b)).join(' or ');
    const note = `(must also match one of: ${text.length > 300 ? `${text.slice(0, 299)}…` : text})`;
    s.description = typeof s.description === 'string' && s.description ? `${s.description} ${note}` : note;
  } else if (union.length > 0) {
    const branches: JsonObject[] = [];
    for (const b of union) {
      const sub = simplify(b, depth + 1);
      if (!sub) continue;
      if (sub.nullable) nullable = true;
      if (isObject(b) && typesOf(b).length === 1 && b.type === 'null') continue;
      branches.push(sub.schema);
    }
    if (branches.length === 1) s = mergeInto(s, branches[0]!);
    else if (branches.length > 1) s.anyOf = branches;
  }
  if (typesOf(s).length === 0 && !s.anyOf) {
    const implied = impliedType(s);
    if (implied) s.type = implied;
  }
  const left = typesOf(s);
  if (left.length > 1 && !s.anyOf) {
    // `type: [string, integer]` → one branch per type, each with its own keywords.
    const shared: JsonObject = {};
    for (const k of ANNOTATIONS) if (k in s) shared[k] = s[k];
    s.anyOf = left.map((t) => {
      const branch: JsonObject = { type: t };
      for (const k of TYPE_KEYWORDS[t] ?? []) if (k in s) branch[k] = s[k];
      if (Array.isArray(s.enum)) branch.enum = s.enum.filter((v) => matchesType(v, t));
      return branch;
    });
    s = { ...shared, anyOf: s.anyOf };
  }
  return { schema: s, nullable };
}

/** `b`'s keywords added to `a`: properties and required joined, descriptions kept from the outside. */
function mergeInto(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...b, ...a };
  if (isObject(a.properties) || isObject(b.properties)) out.properties = { ...(isObject(b.properties) ? b.properties : {}), ...(isObject(a.properties) ? a.properties : {}) };
  const req = [...(Array.isArray(b.required) ? b.required : []), ...(Array.isArray(a.required) ? a.required : [])];
  if (req.length > 0) out.required = [...new Set(req)];
  if (a.type === undefined && b.type !== undefined) out.type = b.type;
  if (typeof a.description !== 'string' && typeof b.description === 'string') out.description = b.description;
  return out;
}

export function matchesType(v: unknown, t: string): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    default:
      return v === null;
  }
}

/** The type an untyped schema's keywords imply (`properties` → object), when they imply one. */
function impliedType(s: JsonObject): string | undefined {
  if (isObject(s.properties)) return 'object';
  if ('items' in s || 'prefixItems' in s) return 'array';
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const kinds = new Set(s.enum.map((v) => (Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : typeof v)));
    if (kinds.size === 1) {
      const k = [...kinds][0]!;
      if (['string', 'integer', 'number', 'boolean'].includes(k)) return k;
    }
    return undefined;
  }
  if (typeof s.const === 'string') return 'string';
  if (['pattern', 'minLength', 'maxLength'].some((k) => k in s)) return 'string';
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].some((k) => k in s)) return 'number';
  return undefined;
}
