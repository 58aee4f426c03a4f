/**
 * `openai-strict`: OpenAI function calling with `strict: true` (Structured Outputs, "Supported
 * schemas": platform.openai.com/docs/guides/structured-outputs#supported-schemas). Every object has
 * `additionalProperties: false` and lists every property in `required`, so an optional argument is
 * required and nullable (null: not sent); `anyOf` (not at the root), `enum`, `const`, string
 * `pattern`/`format`, number bounds and `minItems`/`maxItems` are supported; `allOf`, `not`,
 * `if`/`then`/`else`, `dependent*`, `patternProperties` are not. Limits: 5,000 properties, 10
 * levels of nesting, 1,000 enum values, 120,000 characters of names and enum/const values.
 */
import { isObject, type JsonObject } from '../types.js';
import { JSON_TEXT_NOTE, describeConstraint, isOpenObject, isShapeless, typesOf, withNotes } from './inline.js';
import { matchesType, simplify } from './simplify.js';

const FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
const KEPT: Record<string, string[]> = {
  string: ['pattern'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['minItems', 'maxItems'],
};
const NOTED = ['minLength', 'maxLength', 'uniqueItems', 'minProperties', 'maxProperties', 'default', 'deprecated', 'contentEncoding', 'contentMediaType'];
export const OPTIONAL_NOTE = 'null: leave it out';

/** One schema in the strict subset. `optional`: the property may be left out, so it becomes nullable. */
export function toStrict(input: unknown, optional: boolean): JsonObject | undefined {
  const simple = simplify(input);
  if (!simple) return undefined;
  const { schema: s } = simple;
  const nullable = simple.nullable || optional;
  const notes: string[] = [];
  let out: JsonObject;
  if (Array.isArray(s.anyOf)) {
    const branches = s.anyOf.map((b) => toStrict(b, false)).filter((b): b is JsonObject => b !== undefined);
    if (nullable) branches.push({ type: 'null' });
    out = { anyOf: branches };
  } else if (isShapeless(s) || isOpenObject(s)) {
    out = { type: nullable ? ['string', 'null'] : 'string' };
    notes.push(isOpenObject(s) ? `a JSON object; ${JSON_TEXT_NOTE}` : `any JSON value; ${JSON_TEXT_NOTE}`);
  } else {
    const type = s.type as string;
    out = { type: nullable ? [type, 'null'] : type };
    if (type === 'object') Object.assign(out, strictObject(s, notes));
    else if (type === 'array') {
      out.items = ('items' in s ? toStrict(s.items, false) : undefined) ?? { type: 'string', description: `any JSON value; ${JSON_TEXT_NOTE}` };
      if (Array.isArray(s.prefixItems)) notes.push('positions differ: see the description');
    }
    for (const k of KEPT[type] ?? []) if (k in s) out[k] = s[k];
    if (typeof s.format === 'string') {
      if (type === 'string' && FORMATS.has(s.format)) out.format = s.format;
      else notes.push(`format: ${s.format}`);
    }
    if (Array.isArray(s.enum)) {
      const values = [...new Set(s.enum.filter((v) => matchesType(v, type)))];
      if (values.length > 0) out.enum = nullable ? [...values, null] : values;
    }
    if ('const' in s && matchesType(s.const, type)) {
      if (nullable) out.enum = [s.const, null];
      else out.const = s.const;
    }
  }
  for (const k of NOTED) {
    const note = k in s ? describeConstraint(k, s[k]) : undefined;
    if (note) notes.push(note);
  }
  if (optional) notes.push(OPTIONAL_NOTE);
  const description = typeof s.description === 'string' && s.description ? s.description : typeof s.title === 'string' ? s.title : undefined;
  if (description) out.description = description;
  return withNotes(out, notes);
}

/** `properties` all required (optional ones nullable), `additionalProperties: false`. */
export function strictObject(s: JsonObject, notes: string[]): JsonObject {
  const required = new Set(Array.isArray(s.required) ? s.required : []);
  const properties: JsonObject = {};
  for (const [k, v] of Object.entries(isObject(s.properties) ? s.properties : {})) {
    const sub = toStrict(v, !required.has(k));
    if (sub) properties[k] = sub;
  }
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) notes.push('other keys are not accepted here');
  return { properties, required: Object.keys(properties), additionalProperties: false };
}

export const STRICT_LIMITS = { properties: 5000, depth: 10, enumValues: 1000, chars: 120_000, bigEnum: 250, bigEnumChars: 15_000 };
const ALLOWED = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'enum', 'const', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems']);

/** Where a schema breaks strict mode's rules and limits. */
export function checkStrict(root: unknown): string[] {
  const problems: string[] = [];
  const totals = { properties: 0, enumValues: 0, chars: 0 };
  if (!isObject(root) || root.type !== 'object') problems.push('/: the root must be an object');
  else if ('anyOf' in root) problems.push('/: the root must not be anyOf');
  const walk = (s: unknown, at: string, depth: number): void => {
    if (!isObject(s)) return void problems.push(`${at || '/'}: not a schema object`);
    for (const k of Object.keys(s)) if (!ALLOWED.has(k)) problems.push(`${at}/${k}: not supported in strict mode`);
    if (Array.isArray(s.anyOf)) s.anyOf.forEach((b, i) => walk(b, `${at}/anyOf/${i}`, depth));
    const types = typesOf(s);
    if (!Array.isArray(s.anyOf) && types.length === 0) problems.push(`${at}: no type`);
    if (types.includes('object')) {
      if (depth + 1 > STRICT_LIMITS.depth) problems.push(`${at}: nested deeper than ${STRICT_LIMITS.depth} levels`);
      if (s.additionalProperties !== false) problems.push(`${at}/additionalProperties: must be false`);
      const props = isObject(s.properties) ? s.properties : {};
      const req = new Set(Array.isArray(s.required) ? s.required : []);
      for (const k of Object.keys(props)) {
        totals.properties++;
        totals.chars += k.length;
        if (!req.has(k)) problems.push(`${at}/required: ${k} is missing (every property must be required)`);
        walk(props[k], `${at}/properties/${k}`, depth + 1);
      }
    }
    if (types.includes('array')) {
      if (!('items' in s)) problems.push(`${at}/items: required`);
      else walk(s.items, `${at}/items`, depth);
    }
    if (Array.isArray(s.enum)) {
      totals.enumValues += s.enum.length;
      const chars = s.enum.reduce((n: number, v) => n + (typeof v === 'string' ? v.length : 0), 0);
      totals.chars += chars;
      if (s.enum.length > STRICT_LIMITS.bigEnum && chars > STRICT_LIMITS.bigEnumChars) problems.push(`${at}/enum: over ${STRICT_LIMITS.bigEnum} values and ${STRICT_LIMITS.bigEnumChars} characters`);
    }
    if (typeof s.const === 'string') totals.chars += s.const.length;
    if (typeof s.format === 'string' && !FORMATS.has(s.format)) problems.push(`${at}/format: ${s.format} is not supported`);
  };
  walk(root, '', 0);
  if (totals.properties > STRICT_LIMITS.properties) problems.push(`/: ${totals.properties} properties (at most ${STRICT_LIMITS.properties})`);
  if (totals.enumValues > STRICT_LIMITS.enumValues) problems.push(`/: ${totals.enumValues} enum values (at most ${STRICT_LIMITS.enumValues})`);
  if (totals.chars > STRICT_LIMITS.chars) problems.push(`/: ${totals.chars} characters of names and values (at most ${STRICT_LIMITS.chars})`);
  return problems;
}
