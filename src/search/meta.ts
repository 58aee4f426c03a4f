import type { ToolDefinition } from '../openapi/index.js';

/** The three meta-tools a server in search mode lists, by the names they got on this server. */
export interface MetaNames {
  search: string;
  describe: string;
  call: string;
}

const BASE: MetaNames = { search: 'search_tools', describe: 'describe_tools', call: 'call_tool' };

/**
 * Meta-tool names that no operation's tool already has: the plain names, else `api_`-prefixed,
 * else numbered. An operation called `search_tools` keeps its name; the meta-tool moves aside.
 */
export function pickMetaNames(taken: (name: string) => boolean): MetaNames {
  const pick = (base: string): string => {
    for (const candidate of [base, `api_${base}`]) if (!taken(candidate)) return candidate;
    for (let i = 2; ; i++) if (!taken(`${base}_${i}`)) return `${base}_${i}`;
  };
  return { search: pick(BASE.search), describe: pick(BASE.describe), call: pick(BASE.call) };
}

export const SEARCH_LIMIT = { default: 8, max: 20 } as const;
export const DESCRIBE_MAX = 10;

/**
 * Definitions of the meta-tools, written for a model: when to search, how to phrase a query, that
 * results are ranked, and the search → describe → call sequence.
 */
export function buildMetaDefinitions(names: MetaNames, api: { title: string; tools: number; pinned: string[] }): ToolDefinition[] {
  const pinned = api.pinned.length > 0 ? ` A few tools (${api.pinned.join(', ')}) are also listed directly and can be called by name.` : '';
  return [
    {
      name: names.search,
      title: `Search the ${api.title} tools`,
      description:
        `${api.title} has ${api.tools} operations, too many to list, so they are found by search. ` +
        `Call this first whenever a task needs this API, before guessing a tool name. ` +
        `Describe the task in a few plain words, a verb and the thing it acts on (e.g. "create an issue", "list pods in a namespace", "refund a payment"). ` +
        `Results are ranked best match first; each gives the tool name, a one-line summary, its HTTP method and path, and the arguments it requires. ` +
        `Then call ${names.describe} for the schemas of the tools you pick and ${names.call} to run one. ` +
        `If no result fits, search again with other words: a synonym, the resource's name, or another verb (list, get, create, update, delete).${pinned}`,
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', minLength: 1, maxLength: 500, description: 'What you want to do, in plain words: a verb and the thing it acts on. A task, not a guess at a tool name.' },
          limit: { type: 'integer', minimum: 1, maximum: SEARCH_LIMIT.max, default: SEARCH_LIMIT.default, description: `How many ranked results to return (default ${SEARCH_LIMIT.default}).` },
        },
        required: ['query'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: names.describe,
      title: `Describe ${api.title} tools`,
      description:
        `Full definitions of tools found with ${names.search}: what each does, its input schema (every argument, its type, which are required) and its output schema. ` +
        `Call it for the tools you mean to use before calling them with ${names.call}; ask for up to ${DESCRIBE_MAX} at once.`,
      inputSchema: {
        type: 'object',
        properties: {
          names: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: DESCRIBE_MAX, description: `Tool names as ${names.search} returned them.` },
        },
        required: ['names'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: names.call,
      title: `Call a ${api.title} tool`,
      description:
        `Runs one tool by name with its arguments, exactly as if it were called directly: arguments are checked against the input schema from ${names.describe}, and an error names the argument that is wrong. ` +
        `The result is the API's response.`,
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, description: `The tool's name, as ${names.search} returned it.` },
          arguments: { type: 'object', description: "The tool's arguments, matching its input schema." },
        },
        required: ['name'],
        additionalProperties: false,
      },
    },
  ];
}

/** Whether `name` is one of the meta-tools. */
export function isMetaTool(meta: MetaNames, name: string): boolean {
  return name === meta.search || name === meta.describe || name === meta.call;
}
