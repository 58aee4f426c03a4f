// Response shaping and schema profiles for `npm run bench`: tokens of a large list result before and
// after shaping, and what a profile costs — once per snapshot (the first tools/list), not per request.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { CHARS_PER_TOKEN, shapeToolResult } from '../src/upstream/shape.js';
import { RAW_STRUCTURED, type CallToolResult } from '../src/upstream/response.js';
import { spawnSidecar, waitReady } from './procs.js';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A page of 1,000 issues shaped like GitHub's search API answer (≈ 2 KB an item). */
function issueList(): Record<string, unknown> {
  const user = (i: number) => ({ login: `user${i}`, id: 1000 + i, node_id: `MDQ6VXNlcj${i}`, avatar_url: `https://avatars.example.com/u/${i}?v=4`, url: `https://api.example.com/users/user${i}`, html_url: `https://example.com/user${i}`, type: 'User', site_admin: false });
  const items = Array.from({ length: 1000 }, (_, i) => ({
    url: `https://api.example.com/repos/o/r/issues/${i}`,
    html_url: `https://example.com/o/r/issues/${i}`,
    id: 5_000_000 + i,
    number: i,
    title: `Crash when the cache is cold (${i})`,
    user: user(i % 50),
    labels: [{ id: 1, name: 'bug', color: 'd73a4a', description: "Something isn't working" }],
    state: i % 3 ? 'open' : 'closed',
    assignees: [user((i + 7) % 50)],
    comments: i % 17,
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-20T10:00:00Z',
    body: 'Steps to reproduce: start the service with an empty cache and call the endpoint twice. '.repeat(8),
  }));
  return { total_count: 12_345, incomplete_results: false, items };
}

export function shapingBench(results: Record<string, unknown>): void {
  const value = issueList();
  const text = JSON.stringify(value);
  const fresh = (): CallToolResult => ({ content: [{ type: 'text', text }], structuredContent: JSON.parse(text) as Record<string, unknown>, [RAW_STRUCTURED]: text });
  const tokens = (r: CallToolResult) => Math.ceil(r.content.reduce((n, c) => n + (c.type === 'text' ? c.text.length : 0), 0) / CHARS_PER_TOKEN);
  const shaping = { maxChars: 25_000 * CHARS_PER_TOKEN, pageArgs: ['page', 'per_page'], projectionArg: 'fields' };
  // The upstream's text is parsed anyway (structuredContent); timed is the shaping alone.
  const time = (fn: (r: CallToolResult) => CallToolResult) => {
    const ms: number[] = [];
    let out!: CallToolResult;
    for (let i = 0; i < 7; i++) {
      const r = fresh();
      const t0 = performance.now();
      out = fn(r);
      ms.push(performance.now() - t0);
    }
    return { out, ms: median(ms) };
  };
  const cut = time((r) => shapeToolResult(r, {}, shaping));
  const projected = time((r) => shapeToolResult(r, { fields: ['total_count', 'items[].number', 'items[].title', 'items[].state'] }, shaping));
  const out = {
    items: 1000,
    beforeTokens: Math.ceil(text.length / CHARS_PER_TOKEN),
    afterTokens: tokens(cut.out),
    itemsKept: ((cut.out.structuredContent as { items: unknown[] }).items ?? []).length,
    shapeMs: cut.ms,
    projectedTokens: tokens(projected.out),
    projectedItemsKept: ((projected.out.structuredContent as { items: unknown[] }).items ?? []).length,
    projectMs: projected.ms,
  };
  console.log(
    `\nshaping: a 1,000-issue list is ${out.beforeTokens.toLocaleString('en-US')} tokens; with maxResultTokens 25,000 the model gets ${out.afterTokens.toLocaleString('en-US')} (${out.itemsKept} items kept, ${out.shapeMs.toFixed(1)} ms); with fields [number, title, state] ${out.projectedTokens.toLocaleString('en-US')} tokens (${out.projectedItemsKept} items, ${out.projectMs.toFixed(1)} ms)`,
  );
  results.shaping = out;
}

/**
 * GitHub's spec served once per profile: the first tools/list of a profile builds its schemas and
 * bytes; every later one writes the same bytes. Median of 20 later lists per profile.
 */
export async function profileBench(root: string, work: string, results: Record<string, unknown>): Promise<void> {
  const spec = path.join(root, 'node_modules/@octokit/openapi/generated/api.github.com.json');
  const configFile = path.join(work, 'github-profiles.yaml');
  writeFileSync(configFile, `listen: { port: 18938 }\nlogging: { level: warn }\nservers:\n  - path: /mcp\n    spec: ${spec}\n`);
  const list = async (profile: string) => {
    const t = performance.now();
    const res = await request(`http://127.0.0.1:18938/mcp?profile=${profile}`, { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    const bytes = (await res.body.arrayBuffer()).byteLength;
    return { ms: performance.now() - t, bytes };
  };
  const sidecar = spawnSidecar(configFile);
  const rows: { profile: string; firstMs: number; laterP50Ms: number; bytes: number }[] = [];
  try {
    await waitReady('http://127.0.0.1:18938/readyz', 60_000);
    for (const profile of ['full', 'portable', 'gemini', 'openai-strict']) {
      const first = await list(profile);
      const later: number[] = [];
      for (let i = 0; i < 20; i++) later.push((await list(profile)).ms);
      rows.push({ profile, firstMs: first.ms, laterP50Ms: median(later), bytes: first.bytes });
    }
  } finally {
    await sidecar.stop();
  }
  console.log('\nschema profiles on GitHub’s spec (first tools/list builds the profile; later ones reuse its bytes):');
  for (const r of rows) console.log(`  ${r.profile.padEnd(14)} first ${r.firstMs.toFixed(0).padStart(5)} ms, later p50 ${r.laterP50Ms.toFixed(1).padStart(6)} ms, ${(r.bytes / 1e6).toFixed(2)} MB (≈${Math.ceil(r.bytes / 4).toLocaleString('en-US')} tokens)`);
  results.profiles = rows;
}
