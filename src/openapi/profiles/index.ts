import type { ToolDefinition } from '../tool.js';
import { fitName } from '../names.js';
import { isObject, type JsonObject } from '../types.js';
import { GEMINI_PARAM, GEMINI_TOOL, checkGemini, toGemini } from './gemini.js';
import { inlineRefs, type InlineOptions } from './inline.js';
import { STRICT_LIMITS, checkStrict, strictObject } from './openai-strict.js';
import { checkPortable, toPortable } from './portable.js';

export { adaptArgs } from './args.js';

/** What a client's model provider accepts; `full` is the converter's JSON Schema 2020-12 as it is. */
export const SCHEMA_PROFILES = ['full', 'portable', 'gemini', 'openai-strict'] as const;
export type SchemaProfile = (typeof SCHEMA_PROFILES)[number];

export function isSchemaProfile(v: unknown): v is SchemaProfile {
  return typeof v === 'string' && (SCHEMA_PROFILES as readonly string[]).includes(v);
}

/** A tool as one profile publishes it. */
export interface ProfiledTool {
  definition: ToolDefinition;
  /** Argument names the profile changed: published name → the tool's own argument name. */
  renames: Record<string, string> | undefined;
}

const INLINE: Record<Exclude<SchemaProfile, 'full'>, InlineOptions> = {
  portable: { maxRepeats: 2, maxDepth: 12, maxExpansions: 400 },
  gemini: { maxRepeats: 2, maxDepth: 10, maxExpansions: 400 },
  'openai-strict': { maxRepeats: 2, maxDepth: STRICT_LIMITS.depth, maxExpansions: 400 },
};
const OPENAI_TOOL = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A tool's definition in one profile: a pure function of the full definition, computed once per
 * snapshot and profile. The inputSchema changes; name changes only where the dialect forbids it;
 * the outputSchema stays (clients check results with their own validators, not the provider's).
 */
export function applyProfile(def: ToolDefinition, profile: SchemaProfile): ProfiledTool {
  if (profile === 'full') return { definition: def, renames: undefined };
  const input = def.inputSchema;
  const defs = isObject(input.$defs) ? input.$defs : undefined;
  const root: JsonObject = { type: 'object', properties: isObject(input.properties) ? input.properties : {} };
  if (Array.isArray(input.required) && input.required.length > 0) root.required = input.required;
  if (profile === 'portable') {
    const schema = toPortable(inlineRefs({ ...root, additionalProperties: input.additionalProperties ?? false }, defs, INLINE.portable)) as JsonObject;
    return { definition: { ...def, inputSchema: schema }, renames: undefined };
  }
  if (profile === 'gemini') return gemini(def, inlineRefs(root, defs, INLINE.gemini) as JsonObject);
  return { definition: { ...def, inputSchema: strict(root, defs) }, renames: undefined };
}

function gemini(def: ToolDefinition, root: JsonObject): ProfiledTool {
  const properties: JsonObject = {};
  const renames: Record<string, string> = {};
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const [arg, schema] of Object.entries(root.properties as JsonObject)) {
    const sub = toGemini(schema);
    if (!sub) continue;
    let name = GEMINI_PARAM.test(arg) ? arg : geminiName(arg);
    for (let n = 2; used.has(name); n++) name = `${geminiName(arg).slice(0, 60)}_${n}`;
    used.add(name);
    names.set(arg, name);
    if (name !== arg) renames[name] = arg;
    properties[name] = sub;
  }
  const inputSchema: JsonObject = { type: 'object', properties };
  const required = (Array.isArray(root.required) ? root.required : []).filter((r) => names.has(String(r))).map((r) => names.get(String(r))!);
  if (required.length > 0) inputSchema.required = required;
  return { definition: { ...def, name: profileToolName(def.name, 'gemini'), inputSchema }, renames: Object.keys(renames).length > 0 ? renames : undefined };
}

function geminiName(arg: string): string {
  const safe = arg.replace(/[^A-Za-z0-9_]+/g, '_');
  return (/^[A-Za-z_]/.test(safe) ? safe : `_${safe}`).slice(0, 64);
}

/** Strict schemas within OpenAI's limits: shallower cut points, then fewer enums, until they fit. */
function strict(root: JsonObject, defs: JsonObject | undefined): JsonObject {
  let schema: JsonObject = {};
  for (const maxDepth of [STRICT_LIMITS.depth, 6, 3, 1]) {
    const notes: string[] = [];
    const inlined = inlineRefs(root, defs, { ...INLINE['openai-strict'], maxDepth, maxExpansions: maxDepth === 1 ? 0 : INLINE['openai-strict'].maxExpansions }) as JsonObject;
    schema = { type: 'object', ...strictObject(inlined, notes) };
    const over = checkStrict(schema).filter((p) => p.startsWith('/: '));
    if (over.length === 0) return schema;
    if (over.every((p) => p.includes('enum values') || p.includes('characters'))) return dropEnums(schema);
  }
  return dropEnums(schema);
}

/** Enums move into descriptions, largest first, until the totals fit. */
function dropEnums(schema: JsonObject): JsonObject {
  const enums: JsonObject[] = [];
  const collect = (s: unknown): void => {
    if (Array.isArray(s)) s.forEach(collect);
    else if (isObject(s)) {
      if (Array.isArray(s.enum)) enums.push(s);
      for (const [k, v] of Object.entries(s)) if (k !== 'enum' && k !== 'const') collect(v);
    }
  };
  collect(schema);
  enums.sort((a, b) => (b.enum as unknown[]).length - (a.enum as unknown[]).length);
  for (const s of enums) {
    if (checkStrict(schema).every((p) => !p.startsWith('/: '))) break;
    const values = (s.enum as unknown[]).filter((v) => v !== null);
    delete s.enum;
    const text = JSON.stringify(values);
    s.description = `${typeof s.description === 'string' ? `${s.description} ` : ''}(one of ${text.length > 300 ? `${text.slice(0, 299)}…` : text})`;
  }
  return schema;
}

/** The name a tool has in a profile: Gemini's start with a letter or `_`. */
export function profileToolName(name: string, profile: SchemaProfile): string {
  if (profile !== 'gemini' || !/^[0-9]/.test(name)) return name;
  return fitName(`_${name}`, 64);
}

/** Where a published definition breaks its profile's rules (names and inputSchema); [] when it passes. */
export function checkProfile(def: ToolDefinition, profile: SchemaProfile): string[] {
  const input = def.inputSchema;
  switch (profile) {
    case 'full':
      return def.name.length > 64 ? [`name longer than 64`] : [];
    case 'portable': {
      const problems = checkPortable(input);
      if (input.type !== 'object') problems.push('/type: the root must be an object');
      return problems;
    }
    case 'gemini': {
      const problems: string[] = [];
      if (!GEMINI_TOOL.test(def.name)) problems.push(`name ${def.name}: must start with a letter or _ and hold at most 64 of [A-Za-z0-9_.:-]`);
      if (input.type !== 'object') problems.push('/type: the root must be an object');
      for (const k of Object.keys(input)) if (!['type', 'properties', 'required', 'description'].includes(k)) problems.push(`/${k}: not allowed on the parameters object`);
      const props = isObject(input.properties) ? input.properties : {};
      for (const [k, v] of Object.entries(props)) {
        if (!GEMINI_PARAM.test(k)) problems.push(`/properties/${k}: parameter names are [A-Za-z_][A-Za-z0-9_]{0,63}`);
        problems.push(...checkGemini(v, `/properties/${k}`));
      }
      for (const r of Array.isArray(input.required) ? input.required : []) if (!(String(r) in props)) problems.push(`/required: ${r} is not a property`);
      return problems;
    }
    case 'openai-strict': {
      const problems = checkStrict(input);
      if (!OPENAI_TOOL.test(def.name)) problems.push(`name ${def.name}: must be 1–64 of [A-Za-z0-9_-]`);
      return problems;
    }
  }
}
