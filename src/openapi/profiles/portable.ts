/**
 * `portable`: JSON Schema that draft-07 validators and narrow clients accept as well as 2020-12
 * ones: no `$schema`, no `$ref`/`$defs` (inlined, recursion cut and described), only keywords
 * draft-07 and 2020-12 read the same way. 2020-12-only keywords (`prefixItems`, `dependent*`,
 * `unevaluated*`) and content annotations move into the description.
 */
import { isObject, type JsonObject } from '../types.js';
import { describeConstraint, withNotes } from './inline.js';

const SUBSCHEMA = new Set(['additionalProperties', 'items', 'not', 'propertyNames', 'contains', 'if', 'then', 'else']);
const LIST = new Set(['anyOf', 'oneOf', 'allOf']);
const MAP = new Set(['properties', 'patternProperties']);
const PLAIN = new Set(['type', 'enum', 'const', 'required', 'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minProperties', 'maxProperties', 'title', 'description', 'default', 'examples', 'readOnly', 'writeOnly']);
const NOTED = new Set(['deprecated', 'contentEncoding', 'contentMediaType']);
export const PORTABLE_KEYWORDS = new Set([...SUBSCHEMA, ...LIST, ...MAP, ...PLAIN]);

export function toPortable(s: unknown): unknown {
  if (s === true) return {};
  if (s === false) return { not: {} };
  if (!isObject(s)) return {};
  const out: JsonObject = {};
  const notes: string[] = [];
  for (const k of Object.keys(s)) {
    const v = s[k];
    if (SUBSCHEMA.has(k)) out[k] = typeof v === 'boolean' && k === 'additionalProperties' ? v : toPortable(v);
    else if (LIST.has(k)) {
      if (Array.isArray(v)) out[k] = v.map(toPortable);
    } else if (MAP.has(k)) {
      if (isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, sub]) => [n, toPortable(sub)]));
    } else if (PLAIN.has(k)) out[k] = v;
    else if (NOTED.has(k)) {
      const note = describeConstraint(k, v);
      if (note) notes.push(note);
    } else if (k === 'prefixItems' && Array.isArray(v)) {
      // Draft-07 writes tuples as `items: [...]`, 2020-12 as `prefixItems`: neither reads the other's.
      notes.push(`positions: ${v.map((p) => (isObject(p) && typeof p.type === 'string' ? p.type : 'any')).join(', ')}`);
    } else if (k === 'dependentRequired' && isObject(v)) {
      notes.push(Object.entries(v).map(([n, deps]) => `with ${n}, also ${Array.isArray(deps) ? deps.join(', ') : deps}`).join('; '));
    }
  }
  return withNotes(out, notes);
}

/** Where a schema uses a keyword outside the portable set, or a draft-07/2020-12 difference. */
export function checkPortable(s: unknown, at = ''): string[] {
  if (typeof s === 'boolean') return [`${at || '/'}: boolean schema`];
  if (!isObject(s)) return [`${at || '/'}: not a schema object`];
  const problems: string[] = [];
  for (const k of Object.keys(s)) {
    const v = s[k];
    if (!PORTABLE_KEYWORDS.has(k)) problems.push(`${at}/${k}: not a portable keyword`);
    else if (SUBSCHEMA.has(k)) {
      if (k === 'items' && Array.isArray(v)) problems.push(`${at}/items: a tuple form`);
      else if (typeof v !== 'boolean' || k !== 'additionalProperties') problems.push(...checkPortable(v, `${at}/${k}`));
    } else if (LIST.has(k) && Array.isArray(v)) v.forEach((b, i) => problems.push(...checkPortable(b, `${at}/${k}/${i}`)));
    else if (MAP.has(k) && isObject(v)) for (const [n, sub] of Object.entries(v)) problems.push(...checkPortable(sub, `${at}/${k}/${n}`));
    else if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v !== 'number') problems.push(`${at}/${k}: must be a number`);
  }
  return problems;
}
