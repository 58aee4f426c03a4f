/**
 * Search-quality evaluation (issue #14): the labelled tasks in tasks.json against the sidecar's
 * search and, in the same run, plain BM25 over the same text. Prints recall@1/5/10 and MRR@10 per
 * split and per spec, tokens per search response, tokens for a search → describe → call round on
 * each spec, and query latency.
 *
 *   npm run eval:search                # everything (what docs/benchmarks.md reports)
 *   npm run eval:search -- --dev       # the dev split only, with its misses (for tuning)
 */
import { readFileSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer';
import { buildSearchEntry, buildSearchIndex, formatHits, type SearchIndex } from '../../src/search/index.js';
import type { ToolSet } from '../../src/openapi/index.js';
import { createBm25 } from './bm25.js';
import { loadToolSet, SPECS } from './specs.js';
import { roundTokens, groupedTokens } from './tokens.js';

interface Task {
  spec: string;
  split: 'dev' | 'heldout';
  query: string;
  expected: string[];
}

const args = new Set(process.argv.slice(2));
const devOnly = args.has('--dev');
const tasks = (JSON.parse(readFileSync(new URL('./tasks.json', import.meta.url), 'utf8')) as { tasks: Task[] }).tasks.filter((t) => !devOnly || t.split === 'dev');

interface Ranked {
  task: Task;
  ours: number; // rank of the first correct tool, 1-based; 0: not in the top 10
  bm25: number;
  top: string[];
}

const results: Ranked[] = [];
const perSpec: Record<string, { tools: number; flat: number; search: number; round: number; grouped: number; p50: number; p99: number; searchTokens: number[] }> = {};

for (const key of Object.keys(SPECS)) {
  const specTasks = tasks.filter((t) => t.spec === key);
  if (specTasks.length === 0) continue;
  const set = await loadToolSet(key);
  const entries = set.tools.map((t) => buildSearchEntry(t, set.tagDescriptions));
  const index = buildSearchIndex(entries);
  const opOf = new Map(set.tools.map((t) => [t.name, t.operationId ?? t.name]));
  const bm25 = createBm25(entries.map((e) => ({ name: e.name, text: [e.name, e.path, e.summary, e.description, e.tags.join(' '), e.tagText, e.params.join(' ')].join(' ') })));
  const searchTokens: number[] = [];
  for (const task of specTasks) {
    const hits = index.search(task.query, { limit: 10 });
    searchTokens.push(countTokens(formatHits(task.query, hits.slice(0, 5))));
    const ours = rankOf(hits.map((h) => opOf.get(h.name)!), task.expected);
    const base = rankOf(bm25(task.query, 10).map((n) => opOf.get(n)!), task.expected);
    results.push({ task, ours, bm25: base, top: hits.slice(0, 3).map((h) => opOf.get(h.name)!) });
  }
  perSpec[key] = { tools: set.tools.length, ...(await sizes(key, set, index, specTasks)), ...latency(index, specTasks), searchTokens };
}

function rankOf(list: string[], expected: string[]): number {
  const i = list.findIndex((x) => expected.includes(x));
  return i < 0 ? 0 : i + 1;
}

async function sizes(key: string, set: ToolSet, index: SearchIndex, specTasks: Task[]) {
  const r = roundTokens(set, index, specTasks.map((t) => t.query));
  return { flat: r.flat, search: r.list, round: r.round, grouped: groupedTokens(set) };
}

function latency(index: SearchIndex, specTasks: Task[]) {
  const times: number[] = [];
  for (let rep = 0; rep < 20; rep++) {
    for (const t of specTasks) {
      const start = performance.now();
      index.search(t.query, { limit: 5 });
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 1000) / 1000;
  return { p50: q(0.5), p99: q(0.99) };
}

function metrics(rs: Ranked[], which: 'ours' | 'bm25') {
  const n = rs.length || 1;
  const at = (k: number) => rs.filter((r) => r[which] > 0 && r[which] <= k).length / n;
  const mrr = rs.reduce((s, r) => s + (r[which] > 0 ? 1 / r[which] : 0), 0) / n;
  return { r1: at(1), r5: at(5), r10: at(10), mrr };
}

const f = (x: number) => x.toFixed(2);
const row = (label: string, rs: Ranked[]) => {
  const o = metrics(rs, 'ours');
  const b = metrics(rs, 'bm25');
  return `| ${label} | ${rs.length} | ${f(o.r1)} | ${f(o.r5)} | ${f(o.r10)} | ${f(o.mrr)} | ${f(b.r1)} | ${f(b.r5)} | ${f(b.r10)} | ${f(b.mrr)} | ${b.r5 > 0 ? (o.r5 / b.r5).toFixed(2) : '∞'}× |`;
};

console.log(`Search evaluation: ${results.length} tasks${devOnly ? ' (dev split only)' : ''}\n`);
console.log('| set | tasks | R@1 | R@5 | R@10 | MRR@10 | BM25 R@1 | BM25 R@5 | BM25 R@10 | BM25 MRR@10 | R@5 vs BM25 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const split of ['dev', 'heldout'] as const) {
  const rs = results.filter((r) => r.task.split === split);
  if (rs.length) console.log(row(split, rs));
}
console.log(row('all', results));
for (const key of Object.keys(perSpec)) {
  for (const split of ['dev', 'heldout'] as const) {
    const rs = results.filter((r) => r.task.spec === key && r.task.split === split);
    if (rs.length) console.log(row(`${key} ${split}`, rs));
  }
}
console.log('\nTokens (o200k_base, gpt-tokenizer) and query latency\n');
console.log('| spec | tools | flat tools/list | search-mode tools/list | grouped tools/list | search response (mean, 5 hits) | search → describe → call round | round ÷ flat | query p50 ms | query p99 ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [key, s] of Object.entries(perSpec)) {
  const mean = Math.round(s.searchTokens.reduce((a, b) => a + b, 0) / s.searchTokens.length);
  console.log(`| ${key} | ${s.tools} | ${s.flat.toLocaleString('en-US')} | ${s.search} | ${s.grouped.toLocaleString('en-US')} | ${mean} | ${s.round.toLocaleString('en-US')} | ${((100 * s.round) / s.flat).toFixed(2)} % | ${s.p50} | ${s.p99} |`);
}
if (devOnly || args.has('--misses')) {
  console.log('\nMisses (not in the top 5), dev split only:');
  for (const r of results) if (r.task.split === 'dev' && (r.ours === 0 || r.ours > 5)) console.log(`  ${r.task.spec}: "${r.task.query}" want ${r.task.expected.join('|')} got ${r.top.join(', ')} (rank ${r.ours || '>10'})`);
}
