/**
 * Small repairs that make a converted schema acceptable to every client that reads tool schemas
 * (the MCP SDK client, VS Code's draft-07 check, OpenAI, Gemini). Each is one named function so that
 * schema profiles can reuse them; the converter applies them to the default output.
 */
import { isObject, type JsonObject } from './types.js';

const TYPE_NAMES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** What to do with a value found where a property's schema belongs. */
export type PropertyRepair =
  | { schema: unknown; warning?: undefined }
  | { schema: unknown; warning: string }
  | { schema: undefined; warning: string };

/**
 * A property's schema must be an object for the MCP SDK client (one that is not makes
 * `Client.listTools()` reject the whole list). Specs put other things there: `true` (any value),
 * `false` (often a misplaced keyword, `properties: { additionalProperties: false }`), a bare type
 * name (`id: "string"`) or a stray value. `true` becomes `{}`, a type name `{type}`, and anything
 * else is dropped (`schema: undefined`) or, given a `fallback`, replaced by it; each repair comes
 * with a warning.
 */
export function repairPropertySchema(name: string, value: unknown, fallback?: JsonObject): PropertyRepair {
  if (isObject(value)) return { schema: value };
  const label = `property ${JSON.stringify(name)}`;
  if (value === true) return { schema: {}, warning: `${label} has the schema true; any value accepted` };
  if (typeof value === 'string' && TYPE_NAMES.has(value.toLowerCase())) {
    return { schema: { type: value.toLowerCase() }, warning: `${label} has the bare type name ${JSON.stringify(value)} as its schema; read as {type: ${value.toLowerCase()}}` };
  }
  const found = `${label} has ${JSON.stringify(value)?.slice(0, 40) ?? String(value)} as its schema${value === false ? ' (a misplaced keyword?)' : ''}, which is not a schema`;
  if (fallback) return { schema: fallback, warning: `${found}; read as ${JSON.stringify(fallback)}` };
  return { schema: undefined, warning: `${found}; dropped` };
}

/** True when a schema's `type` allows arrays. */
export function isArrayType(type: unknown): boolean {
  return type === 'array' || (Array.isArray(type) && type.includes('array'));
}

/**
 * An array schema without `items` (OpenAI and VS Code reject it) gets `items: {}`: any item, which is
 * what JSON Schema already means by leaving it out. `prefixItems` alone keeps its meaning with it too.
 */
export function withArrayItems(schema: JsonObject): JsonObject {
  if (isArrayType(schema.type) && schema.items === undefined) schema.items = {};
  return schema;
}

/** `enum` (or `type`) values without repeats, first occurrence kept; draft-07 meta-validation rejects repeats. */
export function uniqueValues(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const key = canonicalJson(v);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out.length === values.length ? values : out;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` compare equal as JSON Schema's equality says. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * A `$ref` with keywords beside it becomes `{ ...siblings, allOf: [{ $ref }] }`: Gemini rejects
 * siblings of `$ref`, and 2020-12 means the same by both forms.
 */
export function refWithSiblings(ref: JsonObject, siblings: JsonObject): JsonObject {
  if (Object.keys(siblings).length === 0) return ref;
  return { ...siblings, allOf: [ref] };
}

/** True when `schema` is a bare `{ $ref }` (nothing else beside it). */
export function isBareRef(schema: unknown): schema is { $ref: string } {
  return isObject(schema) && typeof schema.$ref === 'string' && Object.keys(schema).length === 1;
}
