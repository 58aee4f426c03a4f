import type { SearchHit } from './search-index.js';

/**
 * Hits as the few lines a model reads: rank, tool name, one-line summary, method and path, the
 * arguments it must pass. No schemas: describe_tools gives those for the tools chosen.
 */
export function formatHits(query: string, hits: readonly SearchHit[]): string {
  if (hits.length === 0) return `No tools match "${query}". Try other words for the action or the thing it acts on (e.g. "delete" for "remove", the resource's plural).`;
  const lines = hits.map((h, i) => {
    const req = h.required.length > 0 ? ` (needs: ${h.required.join(', ')})` : '';
    return `${i + 1}. ${h.name}: ${h.summary || '(no summary)'} [${h.method} ${h.path}]${req}`;
  });
  return `${hits.length} tools for "${query}", best match first:\n${lines.join('\n')}`;
}
