// tools/list bytes are encoded tool by tool (to keep start-up memory down); they must be exactly
// what serialising the whole list at once gives, non-ASCII and all. A list no model can read is warned about.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { buildSnapshot, encodeToolsList } from '../../src/runtime/snapshot.js';
import { PoolRegistry } from '../../src/upstream/pools.js';
import type { ToolDefinition } from '../../src/openapi/index.js';

const tool = (name: string, description: string): ToolDefinition => ({ name, description, inputSchema: { type: 'object', properties: {} } }) as ToolDefinition;

t.test('the same bytes as JSON.stringify of the whole list', async (t) => {
  const cases: ToolDefinition[][] = [
    [],
    [tool('one', 'plain')],
    [tool('a', 'Größe in €'), tool('b', 'emoji 🚀 and “quotes”'), tool('c', 'line\nbreak "quoted" \\ back')],
  ];
  for (const defs of cases) {
    const got = encodeToolsList(defs);
    t.ok(got.equals(Buffer.from(JSON.stringify({ tools: defs }))), `${defs.length} tools: byte for byte`);
    t.same(JSON.parse(got.toString('utf8')), { tools: defs }, 'parses back');
  }
});

t.test('a tools/list larger than any model can read is warned about at load, naming the filters', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-biglist-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // 200 operations, each with a 400-field body: about 12 MB of tools/list.
  const body = { type: 'object', properties: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`field_${i}`, { type: 'string', description: `Field ${i}: ${'x'.repeat(100)}` }])) };
  const paths = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`/r${i}`, { post: { operationId: `create${i}`, requestBody: { content: { 'application/json': { schema: body } } }, responses: { '201': { description: 'ok' } } } }]));
  writeFileSync(path.join(dir, 'big.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'big', version: '1' }, paths }));
  writeFileSync(path.join(dir, 'small.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'small', version: '1' }, paths: { '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok' } } } } } }));
  const config = parseConfig('servers:\n  - { path: /big, spec: ./big.json, upstream: { baseUrl: http://127.0.0.1:9 }, tools: { mode: flat } }\n  - { path: /small, spec: ./small.json, upstream: { baseUrl: http://127.0.0.1:9 } }\n', path.join(dir, 'config.yaml'), {});
  const pools = new PoolRegistry();
  const snapshot = await buildSnapshot(config, { pools, generation: 1, version: '1' });
  t.teardown(() => pools.closeAll());
  const big = snapshot.servers.get('/big')!;
  t.ok(big.toolsListBytes.length > 8 * 1024 * 1024, `${(big.toolsListBytes.length / 1e6).toFixed(1)} MB`);
  t.match(big.warnings.join('\n'), /tools\/list is \d+ MB \(≈\d+M tokens\) for 200 tools: .*tools\.include \/ tools\.exclude/);
  t.notMatch(snapshot.servers.get('/small')!.warnings.join('\n'), /tools\/list is/, 'a small one says nothing');
});
