import { readPointer } from './refs.js';
import { refWithSiblings, repairPropertySchema, uniqueValues, withArrayItems } from './repair.js';
import { isObject, type JsonObject } from './types.js';

export type JsonSchema = JsonObject | boolean;
export type SchemaMode = 'input' | 'output';

interface Def {
  key: string;
  schema: JsonSchema;
  /** Pointers of the defs this one references directly. */
  deps: Set<string>;
  /** Its JSON length, once measured. */
  size?: number;
}

/** Keywords whose value is one subschema. */
const SUBSCHEMA = new Set(['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems']);
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP = new Set(['properties', 'patternProperties', 'dependentSchemas']);
/** OpenAPI-only or identity keywords that must not reach a JSON Schema validator. */
const DROP = new Set(['nullable', 'discriminator', 'xml', 'externalDocs', 'example', 'examples', '$id', '$schema', '$anchor', '$dynamicAnchor', '$dynamicRef', '$recursiveAnchor', '$recursiveRef', '$comment', 'definitions', '$defs', 'id']);
/** Draft 4 / OpenAPI 3.0 boolean exclusive bounds and the bound each one qualifies. */
const BOUND_OF: Record<string, string> = { exclusiveMinimum: 'minimum', exclusiveMaximum: 'maximum' };
const EXCLUSIVE_OF: Record<string, string> = { minimum: 'exclusiveMinimum', maximum: 'exclusiveMaximum' };
/** Annotations that stay on the outside when a nullable schema is wrapped in `anyOf`. */
const ANNOTATIONS = new Set(['title', 'description', 'default', 'deprecated', 'readOnly', 'writeOnly', 'examples']);
const MAX_EXAMPLE_CHARS = 80;

/**
 * Converts OpenAPI 3.0/3.1 schemas to JSON Schema 2020-12, once per document.
 * `$ref`s become `#/$defs/<key>` and each referenced schema is converted once and shared by
 * every tool that uses it, so recursive schemas stay finite and huge specs are not copied.
 */
export class SchemaConverter {
  readonly warnings: string[] = [];
  private readonly defs = new Map<string, Def>();
  private readonly keys = new Set<string>();

  constructor(
    private readonly root: unknown,
    private readonly dialect: '3.0' | '3.1',
    private readonly mode: SchemaMode,
  ) {}

  /** Converts one schema; `deps` collects the pointers of the defs it references. */
  convert(schema: unknown, deps: Set<string>): JsonSchema {
    if (typeof schema === 'boolean') return schema;
    if (!isObject(schema)) return {};
    return this.walk(schema, deps);
  }

  /** `$defs` for a set of direct dependencies: the transitive closure, keyed by def name. */
  defsFor(deps: Set<string>): JsonObject | undefined {
    if (deps.size === 0) return undefined;
    const out: JsonObject = {};
    for (const ptr of this.closure(deps)) {
      const def = this.defs.get(ptr)!;
      out[def.key] = def.schema;
    }
    return sortKeys(out);
  }

  /**
   * The JSON length of `defsFor(deps)` without building it: a tool whose response reaches thousands
   * of shared defs (Microsoft Graph) is measured, not materialised, and each def is measured once.
   */
  defsSize(deps: Set<string>): number {
    if (deps.size === 0) return 0;
    let size = 1; // braces, less the comma the last entry does not have
    for (const ptr of this.closure(deps)) {
      const def = this.defs.get(ptr)!;
      def.size ??= JSON.stringify(def.schema).length;
      size += JSON.stringify(def.key).length + 2 + def.size; // "key":schema,
    }
    return size;
  }

  private closure(deps: Set<string>): Set<string> {
    const seen = new Set<string>();
    const todo = [...deps];
    while (todo.length > 0) {
      const ptr = todo.pop()!;
      if (seen.has(ptr)) continue;
      seen.add(ptr);
      for (const d of this.defs.get(ptr)!.deps) if (!seen.has(d)) todo.push(d);
    }
    return seen;
  }

  /**
   * Converts the schema of one property (or argument): never a boolean or a stray value, which the
   * MCP SDK client rejects (repairPropertySchema). Undefined: the property is dropped, with a warning.
   * A `fallback` replaces a value that is not a schema instead of dropping it.
   */
  convertProperty(name: string, value: unknown, deps: Set<string>, fallback?: JsonObject): JsonObject | undefined {
    const repair = repairPropertySchema(name, value, fallback);
    if (repair.warning) this.warnings.push(repair.warning);
    return repair.schema === undefined ? undefined : (this.convert(repair.schema, deps) as JsonObject);
  }

  /** Follows `$ref`s at the top of a schema, for callers that need its shape (body flattening). */
  resolve(schema: unknown): JsonObject | undefined {
    let node = schema;
    for (let i = 0; i < 32 && isObject(node) && typeof node.$ref === 'string'; i++) node = readPointer(this.root, node.$ref);
    return isObject(node) ? node : undefined;
  }

  private ref(ref: string, deps: Set<string>): JsonSchema {
    if (!ref.startsWith('#')) {
      this.warnings.push(`unresolved external $ref ${ref}`);
      return { description: `(unresolved reference ${ref})` };
    }
    let def = this.defs.get(ref);
    if (!def) {
      const target = readPointer(this.root, ref);
      if (target === undefined) {
        this.warnings.push(`dangling $ref ${ref}`);
        return { description: `(unresolved reference ${ref})` };
      }
      // Register before converting, so a recursive reference finds the def and stops.
      def = { key: this.uniqueKey(ref), schema: {}, deps: new Set() };
      this.defs.set(ref, def);
      def.schema = this.convert(target, def.deps);
      if (isRefCycle(this.root, ref, target)) {
        // `A: {$ref: B}, B: {$ref: A}` never reaches a schema; ajv would recurse until the stack overflows.
        this.warnings.push(`circular $ref chain at ${ref}; any value accepted`);
        def.schema = {};
        def.deps.clear();
      }
    }
    deps.add(ref);
    return { $ref: `#/$defs/${def.key}` };
  }

  private walk(s: JsonObject, deps: Set<string>): JsonSchema {
    if (typeof s.$ref === 'string') {
      const target = this.ref(s.$ref, deps);
      const siblings = Object.keys(s).filter((k) => k !== '$ref' && !DROP.has(k) && !k.startsWith('x-'));
      if (siblings.length === 0 && s.nullable !== true) return target;
      // 3.1 allows siblings next to $ref; 3.0 ignores them. Keep annotations only, never beside
      // the $ref itself (Gemini rejects that): `{ ...annotations, allOf: [{ $ref }] }`.
      const annotations: JsonObject = {};
      for (const k of ['description', 'title', 'default', 'deprecated', 'readOnly', 'writeOnly']) if (k in s) annotations[k] = s[k];
      if (s.nullable === true) return { ...annotations, anyOf: [target, { type: 'null' }] };
      return typeof target === 'object' && typeof target.$ref === 'string' ? refWithSiblings(target, annotations) : { ...(target as JsonObject), ...annotations };
    }
    // Built key by key, never `delete`d from: V8 turns an object it deletes from into a slow
    // dictionary, and these schemas are kept for the life of the snapshot and serialised often.
    const input = this.mode === 'input';
    // readOnly properties are not sent; writeOnly ones are not returned.
    const hidden = hiddenProperties(s.properties, input ? 'readOnly' : 'writeOnly');
    // Properties whose schema is not one (`false`, a stray value) are dropped, and so not required.
    const unusable = unusableProperties(s.properties);
    const binaryFile = input && (s.type === 'file' || (s.type === 'string' && s.format === 'binary'));
    const out: JsonObject = {};
    for (const key of Object.keys(s)) {
      const value = s[key];
      if (DROP.has(key) || key.startsWith('x-')) continue;
      if (SUBSCHEMA.has(key)) {
        if (key === 'additionalProperties' && value === false && !input) continue; // responses may grow fields
        out[key] = typeof value === 'boolean' ? value : this.convert(value, deps);
      } else if (SUBSCHEMA_LIST.has(key)) {
        if (Array.isArray(value)) out[key] = value.map((v) => this.convert(v, deps));
      } else if (SUBSCHEMA_MAP.has(key)) {
        if (isObject(value)) out[key] = key === 'properties' ? this.convertProperties(value, deps, hidden) : this.convertMap(value, deps);
      } else if (key === 'enum') {
        if (Array.isArray(value) && value.length > 0) out.enum = uniqueValues(value);
        else this.warnings.push(`enum: ${JSON.stringify(value)?.slice(0, 60)} is not a list of values; dropped`);
      } else if (key === 'items') {
        if (Array.isArray(value)) out.prefixItems = value.map((v) => this.convert(v, deps));
        else out.items = this.convert(value, deps);
      } else if (key === 'required') {
        // Output schemas drop `required`: an upstream that leaves a field out must not fail the call.
        const required = input && Array.isArray(value) ? [...new Set(value.filter((r): r is string => typeof r === 'string' && !hidden?.has(r) && !unusable?.has(r)))] : [];
        if (required.length > 0) out.required = required;
      } else if (key === 'pattern' && typeof value === 'string' && !isValidUnicodeRegExp(value)) {
        this.warnings.push(`pattern ${JSON.stringify(value)} is not a valid JSON Schema regex; dropped`);
      } else if (key in BOUND_OF && typeof value === 'boolean') {
        // Boolean exclusive bounds (draft 4, OpenAPI 3.0) become numeric ones. 3.1 specs carry them too.
        const bound = s[BOUND_OF[key]!];
        if (value && typeof bound === 'number') out[key] = bound;
      } else if (key in EXCLUSIVE_OF && s[EXCLUSIVE_OF[key]!] === true && typeof value === 'number') {
        // Moved to its exclusive keyword above.
      } else if (key === 'type' && value === 'file') {
        out.type = 'string';
        if (!binaryFile) out.format = 'binary';
      } else if (key === 'format' && (binaryFile || s.type === 'file')) {
        // A model cannot send raw bytes: file contents travel base64-encoded (below).
      } else if (key === 'type' && typeof value === 'string' && value !== value.toLowerCase() && TYPE_NAMES.has(value.toLowerCase())) {
        out.type = value.toLowerCase(); // `String`, `Integer`: the intent is plain
      } else if (!keywordValueOk(key, value)) {
        this.warnings.push(`${key}: ${JSON.stringify(value).slice(0, 60)} is not a valid value for it; dropped`);
      } else out[key] = key === 'type' && Array.isArray(value) ? uniqueValues(value) : value;
    }
    withArrayItems(out);
    if (binaryFile) {
      out.contentEncoding = 'base64';
      out.description = `${typeof out.description === 'string' ? `${out.description} ` : ''}(base64-encoded file content)`;
    }
    const example = s.example !== undefined ? s.example : Array.isArray(s.examples) ? s.examples[0] : undefined;
    if (example !== undefined && (typeof example !== 'object' || example === null)) {
      if (JSON.stringify(example).length <= MAX_EXAMPLE_CHARS) out.examples = [example];
    }
    return this.dialect === '3.0' && s.nullable === true ? makeNullable(out) : out;
  }

  private convertMap(map: JsonObject, deps: Set<string>): JsonObject {
    const out: JsonObject = {};
    for (const name of Object.keys(map)) out[name] = this.convert(map[name], deps);
    return out;
  }

  /** `properties`: each value an object schema (convertProperty), `hidden` ones left out. */
  private convertProperties(map: JsonObject, deps: Set<string>, hidden: Set<string> | undefined): JsonObject {
    const out: JsonObject = {};
    for (const name of Object.keys(map)) {
      if (hidden?.has(name)) continue;
      const schema = this.convertProperty(name, map[name], deps);
      if (schema) out[name] = schema;
    }
    return out;
  }

  private uniqueKey(ref: string): string {
    const last = ref.split('/').pop() ?? 'schema';
    const base = decodeURIComponent(last).replace(/~1/g, '/').replace(/~0/g, '~').replace(/[^A-Za-z0-9_.-]+/g, '_') || 'schema';
    let key = base;
    for (let n = 2; this.keys.has(key); n++) key = `${base}_${n}`;
    this.keys.add(key);
    return key;
  }
}

/**
 * 3.0 `nullable: true` → JSON Schema. `allOf: [$ref]` + `nullable` (common in real specs) would still
 * reject null through its subschemas, so a schema with combinators is wrapped: `anyOf: [it, null]`.
 */
function makeNullable(out: JsonObject): JsonObject {
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (!['allOf', 'anyOf', 'oneOf', 'not', 'const'].some((k) => k in out)) return out;
  const wrapped: JsonObject = {};
  for (const k of ANNOTATIONS) if (k in out) wrapped[k] = out[k];
  const inner: JsonObject = {};
  for (const k of Object.keys(out)) if (!ANNOTATIONS.has(k)) inner[k] = out[k];
  wrapped.anyOf = [inner, { type: 'null' }];
  return wrapped;
}

const TYPE_NAMES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const NUMBER_KEYWORDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);
const COUNT_KEYWORDS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains']);
const STRING_KEYWORDS = new Set(['pattern', 'format', 'title', 'description', 'contentEncoding', 'contentMediaType']);
const BOOLEAN_KEYWORDS = new Set(['uniqueItems', 'readOnly', 'writeOnly', 'deprecated']);

/**
 * Real specs carry keyword values JSON Schema does not allow (`pattern: 0`, a whole schema under
 * `type`); a validator refuses to compile the tool then, so such a value is dropped instead.
 */
function keywordValueOk(key: string, value: unknown): boolean {
  if (key === 'type') return typeof value === 'string' ? TYPE_NAMES.has(value) : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && TYPE_NAMES.has(v));
  if (NUMBER_KEYWORDS.has(key)) return typeof value === 'number' && Number.isFinite(value);
  if (key === 'multipleOf') return typeof value === 'number' && value > 0;
  if (COUNT_KEYWORDS.has(key)) return Number.isInteger(value) && (value as number) >= 0;
  if (STRING_KEYWORDS.has(key)) return typeof value === 'string';
  if (BOOLEAN_KEYWORDS.has(key)) return typeof value === 'boolean';
  return true;
}

/** Names of the properties a direction leaves out (readOnly for input, writeOnly for output). */
function hiddenProperties(properties: unknown, hidden: 'readOnly' | 'writeOnly'): Set<string> | undefined {
  if (!isObject(properties)) return undefined;
  let names: Set<string> | undefined;
  for (const name of Object.keys(properties)) {
    const sub = properties[name];
    if (isObject(sub) && sub[hidden] === true) (names ??= new Set()).add(name);
  }
  return names;
}

/** Names of the properties whose schema is not one and which convertProperty drops. */
function unusableProperties(properties: unknown): Set<string> | undefined {
  if (!isObject(properties)) return undefined;
  let names: Set<string> | undefined;
  for (const name of Object.keys(properties)) {
    const sub = properties[name];
    if (!isObject(sub) && repairPropertySchema(name, sub).schema === undefined) (names ??= new Set()).add(name);
  }
  return names;
}

/** True when following `$ref`s from `target` (the value at `start`) comes back to a reference already seen. */
function isRefCycle(root: unknown, start: string, target: unknown): boolean {
  const seen = new Set([start]);
  for (let node = target; isObject(node) && typeof node.$ref === 'string'; node = readPointer(root, node.$ref)) {
    if (seen.has(node.$ref)) return true;
    seen.add(node.$ref);
  }
  return false;
}

const regexCache = new Map<string, boolean>();
function isValidUnicodeRegExp(pattern: string): boolean {
  let ok = regexCache.get(pattern);
  if (ok === undefined) {
    try {
      new RegExp(pattern, 'u');
      ok = true;
    } catch {
      ok = false;
    }
    regexCache.set(pattern, ok);
  }
  return ok;
}

function sortKeys(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
