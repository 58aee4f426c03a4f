/**
 * `gemini`: Gemini's FunctionDeclaration `parameters`, "a select subset of an OpenAPI 3.0 schema
 * object" (ai.google.dev/api/caching#Schema, cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/FunctionDeclaration):
 * one `type`, `nullable`, string-only `enum`, `items`, non-empty `properties`, `required`, `anyOf`,
 * `minItems`/`maxItems`, `minimum`/`maximum` and a few formats; no `$ref`, `$defs`, `$schema`,
 * `additionalProperties`, type lists, `oneOf`/`allOf`, `propertyNames` or exclusive bounds.
 * Parameter names start with a letter or `_` and hold only `[A-Za-z0-9_]`, at most 64.
 */
import { isObject, type JsonObject } from '../types.js';
import { JSON_TEXT_NOTE, describeConstraint, isOpenObject, isShapeless, withNotes } from './inline.js';
import { simplify } from './simplify.js';

const FORMATS: Record<string, Set<string>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};
const KEPT: Record<string, string[]> = {
  array: ['minItems', 'maxItems'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
};
const NOTED = ['pattern', 'minLength', 'maxLength', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'uniqueItems', 'minProperties', 'maxProperties', 'const', 'default', 'deprecated', 'contentEncoding', 'contentMediaType'];
export const GEMINI_PARAM = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const GEMINI_TOOL = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

/** One schema in the Gemini subset; undefined when no value is allowed (`false`). */
export function toGemini(input: unknown): JsonObject | undefined {
  const simple = simplify(input);
  if (!simple) return undefined;
  const { schema: s, nullable } = simple;
  const notes: string[] = [];
  let out: JsonObject;
  if (Array.isArray(s.anyOf)) {
    out = { anyOf: s.anyOf.map(toGemini).filter((b): b is JsonObject => b !== undefined) };
  } else if (isShapeless(s) || isOpenObject(s)) {
    // No schema for "any value" or a map: the model sends JSON text, decoded before validation.
    out = { type: 'string' };
    notes.push(isOpenObject(s) ? `a JSON object; ${JSON_TEXT_NOTE}` : `any JSON value; ${JSON_TEXT_NOTE}`);
    if (isOpenObject(s) && isObject(s.additionalProperties)) notes.push(`each value: ${summary(s.additionalProperties)}`);
  } else {
    const type = s.type as string;
    out = { type };
    if (type === 'object') {
      const properties: JsonObject = {};
      for (const [k, v] of Object.entries(s.properties as JsonObject)) {
        const sub = toGemini(v);
        if (sub) properties[k] = sub;
      }
      out.properties = properties;
      const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string' && r in properties) : [];
      if (required.length > 0) out.required = required;
      if (s.additionalProperties !== undefined && s.additionalProperties !== false) notes.push('other keys allowed');
    } else if (type === 'array') {
      const items = 'items' in s ? toGemini(s.items) : undefined;
      out.items = items ?? { type: 'string', description: `any JSON value; ${JSON_TEXT_NOTE}` };
      if (Array.isArray(s.prefixItems)) notes.push(`positions: ${s.prefixItems.map(summary).join(', ')}`);
    }
    for (const k of KEPT[type] ?? []) if (typeof s[k] === 'number') out[k] = s[k];
    if (typeof s.format === 'string') {
      if (FORMATS[type]?.has(s.format)) out.format = s.format;
      else notes.push(`format: ${s.format}`);
    }
    if (Array.isArray(s.enum)) {
      if (type === 'string' && s.enum.every((v) => typeof v === 'string')) out.enum = [...new Set(s.enum)];
      else notes.push(describeConstraint('enum', s.enum)!);
    }
  }
  for (const k of NOTED) {
    if (!(k in s)) continue;
    const note = describeConstraint(k, s[k]);
    if (note) notes.push(note);
  }
  const description = typeof s.description === 'string' && s.description ? s.description : typeof s.title === 'string' ? s.title : undefined;
  if (description) out.description = description;
  if (nullable) out.nullable = true;
  return withNotes(out, notes);
}

function summary(s: unknown): string {
  if (!isObject(s)) return 'any';
  return typeof s.type === 'string' ? s.type : Array.isArray(s.type) ? s.type.join(' or ') : 'any';
}

const ALLOWED = new Set(['type', 'format', 'description', 'nullable', 'enum', 'items', 'properties', 'required', 'anyOf', 'minItems', 'maxItems', 'minimum', 'maximum']);
const GEMINI_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Where a schema breaks the Gemini subset: each problem with its JSON pointer. */
export function checkGemini(schema: unknown, at = ''): string[] {
  if (!isObject(schema)) return [`${at || '/'}: not a schema object`];
  const problems: string[] = [];
  for (const k of Object.keys(schema)) if (!ALLOWED.has(k)) problems.push(`${at}/${k}: not in the Gemini schema subset`);
  const anyOf = schema.anyOf;
  if (anyOf !== undefined) {
    if (!Array.isArray(anyOf) || anyOf.length === 0) problems.push(`${at}/anyOf: must be a non-empty list`);
    else anyOf.forEach((b, i) => problems.push(...checkGemini(b, `${at}/anyOf/${i}`)));
    return problems;
  }
  const type = schema.type;
  if (typeof type !== 'string' || !GEMINI_TYPES.has(type)) return [...problems, `${at}/type: must be one of ${[...GEMINI_TYPES].join(', ')}`];
  if (type === 'object') {
    const props = schema.properties;
    if (!isObject(props) || Object.keys(props).length === 0) problems.push(`${at}/properties: must be non-empty for OBJECT type`);
    else for (const [k, v] of Object.entries(props)) problems.push(...checkGemini(v, `${at}/properties/${k}`));
    for (const r of Array.isArray(schema.required) ? schema.required : []) if (!isObject(props) || !(String(r) in props)) problems.push(`${at}/required: ${r} is not a property`);
  } else if ('properties' in schema || 'required' in schema) problems.push(`${at}: properties on a non-object`);
  if (type === 'array') {
    if (!('items' in schema)) problems.push(`${at}/items: required for ARRAY type`);
    else problems.push(...checkGemini(schema.items, `${at}/items`));
  } else if ('items' in schema) problems.push(`${at}/items: on a non-array`);
  if ('enum' in schema && (type !== 'string' || !Array.isArray(schema.enum) || !schema.enum.every((v) => typeof v === 'string'))) problems.push(`${at}/enum: only string enums`);
  if (typeof schema.format === 'string' && !FORMATS[type]?.has(schema.format)) problems.push(`${at}/format: ${schema.format} is not supported for ${type}`);
  if ('nullable' in schema && typeof schema.nullable !== 'boolean') problems.push(`${at}/nullable: must be a boolean`);
  return problems;
}
