import { countTokens } from 'gpt-tokenizer';
import type { ToolSet } from '../../src/openapi/index.js';
import { buildMetaDefinitions, formatHits, pickMetaNames, type SearchIndex } from '../../src/search/index.js';
import { encodeToolsList } from '../../src/runtime/snapshot.js';

/**
 * Tokens an agent reads to find and call one tool in search mode, averaged over the queries:
 * the search-mode tools/list, one search_tools call and its 5 hits, one describe_tools call with
 * the top hit's full definition, and the call_tool request (arguments not counted: the task's).
 */
export function roundTokens(set: ToolSet, index: SearchIndex, queries: string[]): { flat: number; list: number; round: number } {
  const flat = countTokens(encodeToolsList(set.tools.map((t) => t.definition)).toString());
  const list = countTokens(JSON.stringify({ tools: metaDefinitions(set) }));
  const byName = new Map(set.tools.map((t) => [t.name, t.definition]));
  let total = 0;
  for (const q of queries) {
    const hits = index.search(q, { limit: 5 });
    const search = countTokens(JSON.stringify({ name: 'search_tools', arguments: { query: q } })) + countTokens(formatHits(q, hits));
    const top = hits[0] ? byName.get(hits[0].name) : undefined;
    const describe = top ? countTokens(JSON.stringify({ name: 'describe_tools', arguments: { names: [top.name] } })) + countTokens(JSON.stringify({ tools: [top] })) : 0;
    const call = top ? countTokens(JSON.stringify({ name: 'call_tool', arguments: { name: top.name, arguments: {} } })) : 0;
    total += search + describe + call;
  }
  return { flat, list, round: list + Math.round(total / Math.max(1, queries.length)) };
}

function metaDefinitions(set: ToolSet): unknown[] {
  return buildMetaDefinitions(pickMetaNames(() => false), { title: set.title ?? 'API', tools: set.tools.length, pinned: [] });
}

/**
 * The grouped alternative (one tool per tag, an `operation` argument naming the operation, and a
 * compact manifest of the tag's operations in the description): its tools/list size.
 */
export function groupedTokens(set: ToolSet): number {
  const byTag = new Map<string, string[]>();
  for (const t of set.tools) {
    const tag = t.tags[0] ?? 'other';
    const line = `${t.name}: ${t.definition.title ?? ''}`.trim();
    byTag.set(tag, [...(byTag.get(tag) ?? []), line]);
  }
  const tools = [...byTag].map(([tag, ops]) => ({
    name: tag,
    description: `Operations on ${tag}. Pass operation and its arguments.\n${ops.join('\n')}`,
    inputSchema: { type: 'object', properties: { operation: { type: 'string', enum: ops.map((o) => o.split(':')[0]) }, arguments: { type: 'object' } }, required: ['operation'] },
  }));
  return countTokens(JSON.stringify({ tools }));
}
