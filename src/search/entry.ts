import type { ToolDef } from '../openapi/index.js';

/** What the index knows of one tool: the text it ranks on and the compact hit it returns. */
export interface SearchEntry {
  name: string;
  method: string;
  path: string;
  /** One line: the operation's summary, else the first sentence of its description. */
  summary: string;
  description: string;
  tags: string[];
  /** Descriptions of the tags (the spec's top-level `tags`), extra words for the tool's topic. */
  tagText: string;
  /** Argument names: path, query, header parameters and top-level body properties. */
  params: string[];
  required: string[];
  /** Synonyms the spec itself gives (`x-aliases`, `x-synonyms`, …) for the operation. */
  aliases: string[];
}

export function buildSearchEntry(def: ToolDef, tagDescriptions: ReadonlyMap<string, string> = new Map()): SearchEntry {
  const d = def.definition;
  const props = (d.inputSchema as { properties?: Record<string, { properties?: Record<string, unknown> }> }).properties ?? {};
  const params: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    params.push(k);
    // A request body argument's own fields are where "email", "amount" or "title" live.
    if (k === 'body' && v && typeof v === 'object' && v.properties) params.push(...Object.keys(v.properties));
  }
  const required = Array.isArray(d.inputSchema.required) ? (d.inputSchema.required as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  const description = stripMarkup(stripRoute(d.description, def.method, def.path));
  return {
    name: def.name,
    method: def.method.toUpperCase(),
    path: def.path,
    summary: stripMarkup(d.title ?? firstSentence(description)).slice(0, 160),
    description,
    tags: def.tags,
    tagText: def.tags.map((t) => tagDescriptions.get(t) ?? '').join(' '),
    params,
    required,
    aliases: def.aliases ?? [],
  };
}

/** The converter appends the route to descriptions; the index has the route in its own field. */
function stripRoute(text: string, method: string, path: string): string {
  const tail = `${method.toUpperCase()} ${path}`;
  const at = text.lastIndexOf(tail);
  return (at >= 0 ? text.slice(0, at) + text.slice(at + tail.length) : text).trim();
}

/** HTML tags and Markdown link targets say nothing about the operation (Stripe writes HTML). */
function stripMarkup(text: string): string {
  return text.replace(/<[^>]{1,200}>/g, '').replace(/\]\([^)]*\)/g, ']').trim();
}

function firstSentence(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const dot = line.search(/\.\s/);
  return (dot > 0 ? line.slice(0, dot + 1) : line).trim();
}
