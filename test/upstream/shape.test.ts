import t from 'tap';
import { pageArgsOf, projectFields, shapeResult, shapeToolResult } from '../../src/upstream/shape.js';
import { RAW_STRUCTURED, type CallToolResult } from '../../src/upstream/response.js';

const items = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `item ${i}`, text: 'x'.repeat(40) }));
const jsonResult = (value: unknown): CallToolResult => {
  const text = JSON.stringify(value);
  const r: CallToolResult = { content: [{ type: 'text', text }] };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    r.structuredContent = value as Record<string, unknown>;
    r[RAW_STRUCTURED] = text;
  }
  return r;
};

t.test('a JSON result over the budget keeps the first items of its longest array and says what was left out', async (t) => {
  const r = shapeResult(jsonResult({ total_count: 500, items }), { maxChars: 4000, pageArgs: ['page', 'per_page'] });
  const kept = (r.structuredContent as any).items.length;
  t.ok(kept > 10 && kept < 500, `${kept} items kept`);
  t.ok(r.content[0]!.type === 'text' && r.content[0]!.text.length <= 4000);
  t.same(JSON.parse((r.content[0] as any).text), r.structuredContent, 'text and structuredContent agree');
  t.equal((r.structuredContent as any).total_count, 500, 'the rest of the object stays');
  t.match((r.content[1] as any).text, new RegExp(`left out ${500 - kept} of 500 items at items\\. Fetch the rest with this tool's page, per_page arguments`));
  t.equal(r[RAW_STRUCTURED], undefined, 'the upstream text is not spliced back in');
});

t.test('a top-level array, a result under the budget, a budget of 0, and text', async (t) => {
  const arr = shapeResult(jsonResult(items), { maxChars: 2000, pageArgs: [] });
  t.ok(JSON.parse((arr.content[0] as any).text).length < 500);
  t.match((arr.content[1] as any).text, /items at the top level\. Ask for fewer items or fields/);
  t.equal(arr.structuredContent, undefined);
  const small = jsonResult({ a: 1 });
  t.equal(shapeResult(small, { maxChars: 4000, pageArgs: [] }), small, 'unchanged: the same object');
  const big = jsonResult({ items });
  t.equal(shapeResult(big, { maxChars: 0, pageArgs: [] }), big, '0: never cut');
  const text = shapeResult({ content: [{ type: 'text', text: 'y'.repeat(10_000) }] }, { maxChars: 1000, pageArgs: ['offset'] });
  t.equal((text.content[0] as any).text.length, 1000);
  t.match((text.content[1] as any).text, /cut at 1,000 of 10,000 characters.*offset/);
});

t.test('fields projections: dotted paths, [] or implicit over lists, unknown fields left out', async (t) => {
  const value = { total: 2, items: [{ id: 1, name: 'a', owner: { login: 'x', id: 9 } }, { id: 2, name: 'b', owner: { login: 'y', id: 8 } }] };
  t.same(projectFields(value, ['items[].id', 'items[].owner.login']), { items: [{ id: 1, owner: { login: 'x' } }, { id: 2, owner: { login: 'y' } }] });
  t.same(projectFields(value, ['items.name', 'total', 'nope']), { total: 2, items: [{ name: 'a' }, { name: 'b' }] });
  t.same(projectFields([{ a: 1, b: 2 }], ['[].a']), [{ a: 1 }]);
  const r = shapeToolResult(jsonResult(value), { fields: ['total'] }, { maxChars: 0, pageArgs: [], projectionArg: 'fields' });
  t.same(r.structuredContent, { total: 2 });
  t.equal((r.content[0] as any).text, '{"total":2}');
  const untouched = jsonResult(value);
  t.equal(shapeToolResult(untouched, {}, { maxChars: 0, pageArgs: [], projectionArg: 'fields' }), untouched, 'no fields asked: the same result');
});

t.test('paging arguments are found by their wire names', async (t) => {
  t.same(pageArgsOf([{ arg: 'page', name: 'page' }, { arg: 'per_page', name: 'per_page' }, { arg: 'q', name: 'q' }, { arg: 'page_size', name: 'page.size' }, { arg: 'cursor', name: 'cursor' }, { arg: 'top', name: '$top' }]), ['page', 'per_page', 'page_size', 'cursor', 'top']);
});
