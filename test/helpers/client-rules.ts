/**
 * The documented rules that model providers and MCP clients apply to a served tool, as checks:
 * one `Rule` per rule, each failure named by the rule and the schema location it breaks at.
 * Sources are cited in docs/decisions.md ("Default tool schemas").
 */
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { ToolDefinition } from '../../src/openapi/tool.js';
import { createAjv } from '../../src/runtime/validators.js';

export const RULES = [
  /** The MCP TypeScript SDK client's `ListToolsResultSchema`, and its ajv compiling the outputSchema (Client.listTools). */
  'sdk-list-tools',
  /** inputSchema compiles under JSON Schema 2020-12 (the runtime's ajv); outputSchema is valid against the 2020-12 meta-schema. */
  'json-schema-2020-12',
  /** Both schemas, `$schema` removed, are valid against the draft-07 meta-schema (VS Code's check; it rejects duplicate enum values). */
  'json-schema-draft-07',
  /** Every `type: array` schema has `items` (OpenAI and VS Code reject arrays without it). */
  'array-items',
  /** No `$ref` has sibling keywords (Gemini's `parametersJsonSchema` rejects them). */
  'ref-siblings',
  /** Every property schema is an object, at every depth (a boolean or a stray value is a spec mistake). */
  'property-object',
  /** Anthropic and OpenAI: `^[a-zA-Z0-9_-]{1,64}$`. */
  'name-anthropic-openai',
  /** Gemini function declarations: starts with a letter or underscore; letters, digits, `_ . : -`; at most 64. */
  'name-gemini',
  /** Claude Code sends `mcp__<server>__<tool>`, which must itself fit in 64 characters. */
  'name-claude-code',
  /** Cursor drops a tool whose server name + tool name reach 60 characters. */
  'name-cursor',
] as const;
export type Rule = (typeof RULES)[number];

export interface Violation {
  rule: Rule;
  detail: string;
}

const ANTHROPIC_OPENAI = /^[a-zA-Z0-9_-]{1,64}$/;
const GEMINI = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Subschema keywords, for walking a schema. */
const ONE = ['additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Calls `visit` on every subschema of `schema` (objects and booleans) with its JSON pointer. */
export function walkSchema(schema: unknown, visit: (node: unknown, pointer: string, parentKeyword: string | undefined) => void, pointer = '', parent?: string): void {
  visit(schema, pointer, parent);
  if (!isObject(schema)) return;
  for (const k of ONE) if (k in schema && !(k === 'items' && Array.isArray(schema[k]))) walkSchema(schema[k], visit, `${pointer}/${k}`, k);
  for (const k of LIST) {
    const list = schema[k] ?? (k === 'prefixItems' && Array.isArray(schema.items) ? schema.items : undefined);
    if (Array.isArray(list)) list.forEach((s, i) => walkSchema(s, visit, `${pointer}/${k}/${i}`, k));
  }
  for (const k of MAP) {
    const map = schema[k];
    if (isObject(map)) for (const [name, s] of Object.entries(map)) walkSchema(s, visit, `${pointer}/${k}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, k);
  }
}

/** Schema-shape problems (arrays without items, $ref siblings, non-object properties) in one walk. */
function shapeViolations(schema: Json | undefined, which: string): Violation[] {
  if (!schema) return [];
  const out: Violation[] = [];
  walkSchema(schema, (node, ptr, parent) => {
    if (parent === 'properties' && !isObject(node)) out.push({ rule: 'property-object', detail: `${which}${ptr} is ${JSON.stringify(node)}` });
    if (!isObject(node)) return;
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('array') && node.items === undefined) out.push({ rule: 'array-items', detail: `${which}${ptr}: array without items` });
    if (typeof node.$ref === 'string' && Object.keys(node).length > 1) {
      out.push({ rule: 'ref-siblings', detail: `${which}${ptr}: $ref beside ${Object.keys(node).filter((k) => k !== '$ref').join(', ')}` });
    }
  });
  return out;
}

function withoutSchemaKeyword(schema: Json): Json {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

export interface RuleOptions {
  /** The name a user gives the server in their client's config (Claude Code and Cursor prefix it). */
  serverName: string;
}

/** Checks one tool definition against every rule. One checker keeps its ajv instances across tools. */
export function createRuleChecker(options: RuleOptions): (tool: ToolDefinition) => Violation[] {
  const ajv2020 = createAjv();
  const draft07 = new Ajv({ strict: false, logger: false, validateSchema: false });
  // The SDK client's default ajv (validation/ajv-provider.js: draft-07 Ajv, these options), silenced:
  // it logs every unknown format to the console.
  const sdkAjv = new Ajv({ strict: false, validateFormats: true, validateSchema: false, allErrors: true, logger: false });
  (ajvFormats as unknown as { default: (ajv: Ajv) => void }).default(sdkAjv);
  const sdkValidator = new AjvJsonSchemaValidator(sdkAjv);
  return (tool) => {
    const out: Violation[] = [];
    const parsed = ListToolsResultSchema.safeParse({ tools: [tool] });
    if (!parsed.success) out.push({ rule: 'sdk-list-tools', detail: parsed.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`).join('; ').slice(0, 200) });
    if (tool.outputSchema) {
      try {
        sdkValidator.getValidator(tool.outputSchema);
      } catch (err) {
        out.push({ rule: 'sdk-list-tools', detail: `outputSchema does not compile in the SDK client: ${(err as Error).message.slice(0, 160)}` });
      }
    }
    try {
      ajv2020.compile(tool.inputSchema);
    } catch (err) {
      out.push({ rule: 'json-schema-2020-12', detail: `inputSchema: ${(err as Error).message.slice(0, 160)}` });
    }
    if (tool.outputSchema && !ajv2020.validateSchema(tool.outputSchema)) out.push({ rule: 'json-schema-2020-12', detail: `outputSchema: ${ajv2020.errorsText(ajv2020.errors).slice(0, 160)}` });
    for (const [which, schema] of [['inputSchema', tool.inputSchema], ['outputSchema', tool.outputSchema]] as const) {
      if (!schema) continue;
      if (!draft07.validate(DRAFT_07, withoutSchemaKeyword(schema))) out.push({ rule: 'json-schema-draft-07', detail: `${which}: ${draft07.errorsText(draft07.errors).slice(0, 160)}` });
      out.push(...shapeViolations(schema, which));
    }
    if (!ANTHROPIC_OPENAI.test(tool.name)) out.push({ rule: 'name-anthropic-openai', detail: tool.name });
    if (!GEMINI.test(tool.name)) out.push({ rule: 'name-gemini', detail: tool.name });
    const claudeCode = `mcp__${options.serverName}__${tool.name}`;
    if (claudeCode.length > 64) out.push({ rule: 'name-claude-code', detail: `${claudeCode} (${claudeCode.length})` });
    const cursor = options.serverName.length + tool.name.length;
    if (cursor >= 60) out.push({ rule: 'name-cursor', detail: `${options.serverName} + ${tool.name} (${cursor})` });
    return out;
  };
}
