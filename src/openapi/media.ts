import type { BodyKind } from './binding.js';
import { isObject, type JsonObject, type MediaTypeObject } from './types.js';

/** Follows `$ref`s at the top of a schema (SchemaConverter.resolve). */
export type SchemaResolver = (schema: unknown) => JsonObject | undefined;

export interface PickedMedia {
  /** The Content-Type sent upstream: the spec's own, or a concrete one in place of a wildcard. */
  mediaType: string;
  /** The key in `content` it came from. */
  key: string;
  media: MediaTypeObject;
  kind: BodyKind;
}

const MEDIA_PREFERENCE: [RegExp, BodyKind][] = [
  [/^application\/(.+\+)?json\b/i, 'json'],
  [/^application\/x-www-form-urlencoded\b/i, 'form'],
  [/^multipart\//i, 'multipart'],
  [/^text\//i, 'text'],
  [/^application\/(.+\+)?xml\b/i, 'text'],
  [/.*/, 'binary'],
];

/** A concrete `type/subtype`. Anything else (`*\/*`, `application/*`, empty, no slash) does not say. */
const CONCRETE = /^\s*[^\s/*;]+\/[^\s/*;]+\s*(;|$)/;

/**
 * The request body media type a tool sends, by preference JSON, form, multipart, text, then bytes.
 * A wildcard, empty or malformed media type says nothing about the encoding, so the schema decides: an object
 * or array body is JSON (Swagger 2.0's `consumes: ["*\/*"]`, as Kubernetes writes it); anything
 * else stays bytes, sent base64-decoded.
 */
export function pickBodyMedia(content: Record<string, MediaTypeObject>, resolve: SchemaResolver): PickedMedia | undefined {
  const entries = Object.entries(content).filter(([, m]) => isObject(m));
  for (const [re, kind] of MEDIA_PREFERENCE) {
    const hit = entries.find(([mt]) => re.test(mt));
    if (!hit) continue;
    const [key, media] = hit;
    const unsaid = !CONCRETE.test(key);
    const actual = kind === 'binary' && unsaid && isStructured(media.schema, resolve) ? 'json' : kind;
    return { mediaType: unsaid || key.includes('*') ? defaultMediaType(actual) : key, key, media, kind: actual };
  }
  return undefined;
}

function defaultMediaType(kind: BodyKind): string {
  return { json: 'application/json', form: 'application/x-www-form-urlencoded', multipart: 'multipart/form-data', text: 'text/plain', binary: 'application/octet-stream' }[kind];
}

/** An object or array schema (or a union / allOf with one): data with a structure, not bytes. */
export function isStructured(schema: unknown, resolve: SchemaResolver, depth = 0): boolean {
  const s = resolve(schema);
  if (!s || depth > 8) return false;
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
  if (types.includes('object') || types.includes('array')) return true;
  if (types.length > 0) return false;
  if (s.properties !== undefined || s.additionalProperties !== undefined || s.patternProperties !== undefined || s.items !== undefined) return true;
  return (['allOf', 'anyOf', 'oneOf'] as const).some((k) => Array.isArray(s[k]) && s[k].some((part) => isStructured(part, resolve, depth + 1)));
}

/** A schema for file content: a binary string, a string with a media type, or Swagger's `file`. */
export function isBinarySchema(schema: JsonObject): boolean {
  return (schema.type === 'string' && (schema.format === 'binary' || typeof schema.contentMediaType === 'string')) || schema.type === 'file';
}
