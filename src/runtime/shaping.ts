import type { ServerConfig } from '../config/types.js';
import type { ToolDef } from '../openapi/index.js';
import { CHARS_PER_TOKEN, pageArgsOf, projectionHint, type ToolShaping } from '../upstream/shape.js';

const JSON_RESPONSE = /application\/(.+\+)?json/i;

/**
 * A tool's result shaping from the server's tools settings and its override. With projection on and
 * a JSON response, the tool's definition gains the projection argument (`fields`, or
 * `response_fields` when the operation has its own `fields`) and one line in its description.
 */
export function buildShaping(def: ToolDef, server: ServerConfig): ToolShaping {
  const o = (def.operationId !== undefined ? server.tools.overrides[def.operationId] : undefined) ?? server.tools.overrides[def.name];
  const tokens = o?.maxResultTokens ?? server.tools.maxResultTokens;
  const shaping: ToolShaping = { maxChars: tokens * CHARS_PER_TOKEN, pageArgs: pageArgsOf(def.binding.query), projectionArg: undefined };
  const json = def.definition.outputSchema !== undefined || JSON_RESPONSE.test(def.binding.accept.split(',')[0] ?? '');
  if ((o?.projection ?? server.tools.projection) && json) {
    const props = (def.definition.inputSchema.properties ?? {}) as Record<string, unknown>;
    const arg = ['fields', 'response_fields', '_fields'].find((n) => !(n in props));
    if (arg) {
      shaping.projectionArg = arg;
      const hint = projectionHint(arg);
      def.definition = {
        ...def.definition,
        description: `${def.definition.description}\n\n${hint}`,
        inputSchema: {
          ...def.definition.inputSchema,
          properties: { ...props, [arg]: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Return only these fields of the JSON result: dotted paths, [] for each item of a list (items[].id).' } },
        },
      };
    }
  }
  return shaping;
}
