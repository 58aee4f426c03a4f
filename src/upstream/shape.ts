/**
 * Response shaping: a JSON result the model would drown in is cut to a budget structurally (the
 * longest arrays keep their first items), and says what was left out and which of the operation's
 * own parameters fetch the rest; a `fields` projection returns only what the model asked for.
 */
import type { CallToolResult } from './response.js';

export interface Shaping {
  /** Characters of JSON text (≈ 4 per token); 0: no budget. */
  maxChars: number;
  /** The operation's paging arguments (page, limit, cursor, …), named in the note. */
  pageArgs: string[];
}

/** About 4 characters of JSON per token (the same estimate as `mcp-sidecar tools`). */
export const CHARS_PER_TOKEN = 4;
const PAGE_ARG = /^(page|pages?_?(size|number|token|num)|per_?page|limit|offset|cursor|after|before|since|starting_?after|ending_?before|next_?(token|page|cursor)|continuation_?token|skip|top|\$top|\$skip|max_?results|max_?items|count|start|start_?index|from|size)$/i;

/** The arguments of an operation that page through results. */
export function pageArgsOf(queryArgs: readonly { arg: string; name: string }[]): string[] {
  return queryArgs.filter((p) => PAGE_ARG.test(p.name.replace(/[.-]/g, '_'))).map((p) => p.arg);
}

/**
 * A result over the budget → its longest arrays cut to their first items until it fits. Results
 * that are not JSON, or that no array cut brings under the budget, keep the start of their text and say so.
 */
export function shapeResult(result: CallToolResult, shaping: Shaping): CallToolResult {
  if (shaping.maxChars <= 0 || result.isError) return result;
  const first = result.content[0];
  if (result.content.length !== 1 || first?.type !== 'text' || first.text.length <= shaping.maxChars) return result;
  // structuredContent is the parsed text already; only arrays and non-objects are parsed here.
  let value: unknown = result.structuredContent;
  if (value === undefined) {
    try {
      value = JSON.parse(first.text);
    } catch {
      return truncateText(result, first.text, shaping);
    }
  }
  const cut = cutToBudget(value, shaping.maxChars, first.text.length);
  if (!cut) return truncateText(result, first.text, shaping);
  const text = JSON.stringify(cut.value);
  const left = cut.cuts.map((c) => `${c.total - c.kept} of ${c.total} items at ${c.path || 'the top level'}`).join(', ');
  const more = shaping.pageArgs.length > 0 ? ` Fetch the rest with this tool's ${shaping.pageArgs.join(', ')} argument${shaping.pageArgs.length > 1 ? 's' : ''}, or ask for fewer fields.` : ' Ask for fewer items or fields to see the rest.';
  const out: CallToolResult = { content: [{ type: 'text', text }, { type: 'text', text: `[Result shortened to about ${Math.round(shaping.maxChars / CHARS_PER_TOKEN).toLocaleString('en-US')} tokens: left out ${left}.${more}]` }] };
  if (result.structuredContent !== undefined && isPlainObject(cut.value)) out.structuredContent = cut.value;
  return out;
}

function truncateText(result: CallToolResult, text: string, shaping: Shaping): CallToolResult {
  const kept = text.slice(0, shaping.maxChars);
  return {
    content: [
      { type: 'text', text: kept },
      { type: 'text', text: `[Result cut at ${kept.length.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters (about ${Math.round(shaping.maxChars / CHARS_PER_TOKEN).toLocaleString('en-US')} tokens).${shaping.pageArgs.length > 0 ? ` Use this tool's ${shaping.pageArgs.join(', ')} to fetch less at a time.` : ''}]` },
    ],
  };
}

interface Cut {
  path: string;
  kept: number;
  total: number;
}

/** The value with its longest arrays cut (largest first) until its JSON fits `max`; undefined when it cannot. */
function cutToBudget(value: unknown, max: number, textLength: number): { value: unknown; cuts: Cut[] } | undefined {
  const budget = max - 200; // room for the note
  let current = value;
  const cuts: Cut[] = [];
  for (let round = 0; round < 8; round++) {
    // The upstream's own text may have spaces the re-serialised value has not: measure the value.
    const size = round === 0 && textLength <= budget ? textLength : JSON.stringify(current).length;
    if (size <= budget) return cuts.length > 0 ? { value: current, cuts } : undefined;
    const arrays = findArrays(current, '', []).filter((a) => a.items.length > 0 && !cuts.some((c) => c.path === a.path));
    if (arrays.length === 0) return undefined;
    const target = arrays.reduce((a, b) => (b.size > a.size ? b : a));
    // The most items that fit: each item measured once, the rest of the value stays the same size.
    let total = size - target.size + 2;
    let lo = 0;
    for (const item of target.items) {
      const next = total + (JSON.stringify(item) ?? 'null').length + (lo > 0 ? 1 : 0);
      if (next > budget) break;
      total = next;
      lo++;
    }
    current = replaceAt(current, target.keys, target.items.slice(0, lo));
    cuts.push({ path: target.path, kept: lo, total: target.items.length });
  }
  return JSON.stringify(current).length <= budget ? { value: current, cuts } : undefined;
}

interface Found {
  path: string;
  keys: (string | number)[];
  items: unknown[];
  size: number;
}

/** Arrays in a value (not inside other arrays: cutting the outer one is what pages), with their JSON size. */
function findArrays(v: unknown, path: string, keys: (string | number)[], depth = 0): Found[] {
  if (depth > 16) return [];
  if (Array.isArray(v)) return [{ path, keys, items: v, size: JSON.stringify(v).length }];
  if (!isPlainObject(v)) return [];
  return Object.entries(v).flatMap(([k, sub]) => findArrays(sub, path ? `${path}.${k}` : k, [...keys, k], depth + 1));
}

function replaceAt(v: unknown, keys: (string | number)[], replacement: unknown): unknown {
  if (keys.length === 0) return replacement;
  const [k, ...rest] = keys;
  const obj = v as Record<string, unknown>;
  return { ...obj, [k!]: replaceAt(obj[k as string], rest, replacement) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Only the listed fields of a JSON value: `items[].id`, `items.id` (an array met on the way is
 * mapped), `total_count`. Unknown fields are left out silently; a model sees what it got.
 */
export function projectFields(value: unknown, fields: readonly string[]): unknown {
  const tree: Tree = new Map();
  for (const f of fields) {
    let node = tree;
    for (const seg of f.split('.').flatMap((s) => s.split(/(\[\])/)).filter((s) => s !== '' && s !== '[]')) {
      let next = node.get(seg);
      if (next === undefined || next === true) node.set(seg, (next = new Map()));
      node = next;
    }
  }
  markLeaves(tree);
  return pick(value, tree);
}

type Tree = Map<string, Tree | true>;

function markLeaves(tree: Tree): void {
  for (const [k, v] of tree) {
    if (v !== true && v.size === 0) tree.set(k, true);
    else if (v !== true) markLeaves(v);
  }
}

function pick(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, tree));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of tree) {
    if (!(k in value)) continue;
    out[k] = sub === true ? value[k] : pick(value[k], sub);
  }
  return out;
}

export interface ToolShaping extends Shaping {
  /** The argument that carries a `fields` projection, when the tool offers one. */
  projectionArg: string | undefined;
}

/**
 * A successful result after projection (when the call asked for fields) and the budget. Returns the
 * same object when nothing changed, so the upstream's JSON text is still written as it came.
 */
export function shapeToolResult(result: CallToolResult, args: Record<string, unknown>, shaping: ToolShaping): CallToolResult {
  if (result.isError) return result;
  let out = result;
  const fields = shaping.projectionArg ? args[shaping.projectionArg] : undefined;
  if (Array.isArray(fields) && fields.length > 0) out = project(out, fields.map(String));
  return shapeResult(out, shaping);
}

function project(result: CallToolResult, fields: string[]): CallToolResult {
  const first = result.content[0];
  if (result.content.length !== 1 || first?.type !== 'text') return result;
  let value: unknown = result.structuredContent;
  if (value === undefined) {
    try {
      value = JSON.parse(first.text);
    } catch {
      return result;
    }
  }
  const picked = projectFields(value, fields);
  const out: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(picked) }] };
  if (result.structuredContent !== undefined && isPlainObject(picked)) out.structuredContent = picked;
  return out;
}

/** The tool description's one line about the projection argument. */
export function projectionHint(arg: string): string {
  return `Pass ${arg} (e.g. ["items[].id", "items[].name"]) to get only those fields of the JSON result.`;
}
