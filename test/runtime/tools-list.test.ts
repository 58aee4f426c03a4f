// tools/list bytes are encoded tool by tool (to keep start-up memory down); they must be exactly
// what serialising the whole list at once gives, non-ASCII and all.
import t from 'tap';
import { encodeToolsList } from '../../src/runtime/snapshot.js';
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
