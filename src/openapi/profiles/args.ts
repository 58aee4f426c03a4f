/**
 * Arguments written against a profile's schema → arguments for the full schema, before the full
 * schema validates them: renamed parameters get their own names back, JSON text sent where the
 * profile could not describe an object or "any value" is parsed, and under `openai-strict` a null
 * for an optional property means "not sent" and is dropped. Walks the arguments, not the schema,
 * so it ends however recursive the schema is.
 */
import { isObject, type JsonObject } from '../types.js';
import { isShapeless, typesOf } from './inline.js';
import type { SchemaProfile } from './index.js';

export function adaptArgs(args: JsonObject, full: JsonObject, profile: SchemaProfile, renames: Record<string, string> | undefined): JsonObject {
  if (profile === 'full' || profile === 'portable') return args;
  let named = args;
  if (renames) {
    named = {};
    for (const [k, v] of Object.entries(args)) named[renames[k] ?? k] = v;
  }
  const defs = isObject(full.$defs) ? full.$defs : {};
  return adaptObject(named, [full], defs, profile === 'openai-strict', 0);
}

function adapt(value: unknown, schemas: JsonObject[], defs: JsonObject, strict: boolean, depth: number): unknown {
  if (depth > 64 || schemas.length === 0) return value;
  if (typeof value === 'string' && schemas.every((s) => !acceptsString(s, defs) || isShapeless(s))) {
    const parsed = parseJsonText(value);
    if (parsed !== undefined) value = parsed;
  }
  if (Array.isArray(value)) {
    const items = schemas.flatMap((s) => (isObject(s.items) ? variants(s.items, defs) : []));
    return items.length === 0 ? value : value.map((v) => adapt(v, items, defs, strict, depth + 1));
  }
  if (isObject(value)) return adaptObject(value, schemas, defs, strict, depth);
  return value;
}

function adaptObject(value: JsonObject, schemas: JsonObject[], defs: JsonObject, strict: boolean, depth: number): JsonObject {
  const objects = schemas.flatMap((s) => variants(s, defs)).filter((s) => isObject(s.properties));
  if (objects.length === 0) return value;
  const required = new Set(objects.flatMap((s) => (Array.isArray(s.required) ? s.required : [])));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && strict && !required.has(k)) continue;
    const subs = objects.flatMap((s) => {
      const p = (s.properties as JsonObject)[k];
      return isObject(p) ? variants(p, defs) : [];
    });
    out[k] = adapt(v, subs, defs, strict, depth + 1);
  }
  return out;
}

/** A schema and its `$ref` target, `allOf`/`anyOf`/`oneOf` branches: every shape a value may take. */
function variants(s: JsonObject, defs: JsonObject, depth = 0): JsonObject[] {
  if (depth > 8) return [];
  const out: JsonObject[] = [s];
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')) {
    const target = defs[s.$ref.slice('#/$defs/'.length)];
    if (isObject(target)) out.push(...variants(target, defs, depth + 1));
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = s[k];
    if (Array.isArray(list)) for (const b of list) if (isObject(b)) out.push(...variants(b, defs, depth + 1));
  }
  return out;
}

function acceptsString(s: JsonObject, defs: JsonObject): boolean {
  return variants(s, defs).some((v) => {
    const types = typesOf(v);
    if (types.includes('string')) return true;
    if (Array.isArray(v.enum) && v.enum.some((e) => typeof e === 'string')) return true;
    return typeof v.const === 'string';
  });
}

/** JSON text of an object or array → the value; anything else stays the string it was. */
function parseJsonText(text: string): unknown {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}
