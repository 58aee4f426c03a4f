import t from 'tap';
import { SCHEMA_PROFILES, adaptArgs, applyProfile, checkProfile, type SchemaProfile } from '../../src/openapi/profiles/index.js';
import type { ToolDefinition } from '../../src/openapi/tool.js';
import { oas31, toolsOf, validatorFor } from '../helpers/specs.js';

/** One tool from a 3.1 spec whose POST body exercises what dialects disagree on. */
async function sampleTool(): Promise<ToolDefinition> {
  const set = await toolsOf(
    oas31(
      {
        '/nodes/{node-id}': {
          post: {
            operationId: 'createNode',
            parameters: [
              { name: 'node-id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } },
              { name: 'page.size', in: 'query', schema: { type: 'integer', exclusiveMinimum: 0, maximum: 100 } },
            ],
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['name'],
                    properties: {
                      name: { type: 'string', minLength: 1 },
                      note: { type: ['string', 'null'] },
                      kind: { oneOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'integer' }] },
                      labels: { type: 'object', additionalProperties: { type: 'string' } },
                      tree: { $ref: '#/components/schemas/Node' },
                      size: { type: 'integer', enum: [1, 2, 3] },
                    },
                  },
                },
              },
            },
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      {
        components: {
          schemas: {
            Node: { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
          },
        },
      },
    ),
  );
  return set.tools[0]!.definition;
}

t.test('every profile of a tricky tool passes its own rules; full keeps the tool as it is', async (t) => {
  const def = await sampleTool();
  for (const p of SCHEMA_PROFILES) t.same(checkProfile(applyProfile(def, p).definition, p), [], p);
  t.equal(applyProfile(def, 'full').definition, def);
  // The checkers are not blind: the full schema breaks every narrower profile.
  for (const p of ['portable', 'gemini', 'openai-strict'] as SchemaProfile[]) t.ok(checkProfile(def, p).length > 0, `full fails ${p}`);
});

t.test('gemini: no $schema/$defs/type lists, renamed parameters, map and recursion as JSON text, dropped constraints in words', async (t) => {
  const { definition, renames } = applyProfile(await sampleTool(), 'gemini');
  const s = definition.inputSchema as any;
  const text = JSON.stringify(s);
  for (const banned of ['$schema', '$defs', '$ref', 'additionalProperties', 'exclusiveMinimum', 'oneOf']) t.notOk(text.includes(`"${banned}"`), `no ${banned}`);
  t.same(renames, { node_id: 'node-id', page_size: 'page.size' });
  t.same(s.required.sort(), ['name', 'node_id']);
  t.match(s.properties.page_size, { type: 'integer', maximum: 100, description: /greater than 0/ });
  t.match(s.properties.node_id.description, /pattern: \^\[a-z\]\+\$/);
  t.same(s.properties.note, { type: 'string', nullable: true });
  t.same(s.properties.kind.anyOf.map((b: any) => b.type), ['string', 'integer']);
  t.match(s.properties.labels, { type: 'string', description: /JSON object; send it as JSON text/ });
  t.match(s.properties.size, { type: 'integer', description: /one of \[1,2,3\]/ });
  t.notOk('enum' in s.properties.size, 'Gemini enums are strings only');
  // The recursive Node is described once inside itself; the level below is a cut point that says what it is.
  t.equal(s.properties.tree.properties.children.items.type, 'object');
  const child = s.properties.tree.properties.children.items.properties.children.items;
  t.equal(child.type, 'string');
  t.match(child.description, /a Node, recursive/);
});

t.test('openai-strict: every property required, optional ones nullable, additionalProperties false everywhere', async (t) => {
  const { definition } = applyProfile(await sampleTool(), 'openai-strict');
  const s = definition.inputSchema as any;
  t.same(s.required, Object.keys(s.properties));
  t.equal(s.additionalProperties, false);
  t.same(s.properties.name.type, 'string', 'required stays non-null');
  t.match(s.properties.name.description, /at least 1 characters/);
  t.same(s.properties['page.size'].type, ['integer', 'null'], 'optional → nullable');
  t.equal(s.properties['page.size'].exclusiveMinimum, 0, 'strict keeps exclusive bounds');
  t.match(s.properties['page.size'].description, /null: leave it out/);
  t.same(s.properties.size.enum, [1, 2, 3, null]);
  t.same(s.properties.tree.required, ['label', 'children']);
  t.equal(s.properties.tree.additionalProperties, false);
  t.same(s.properties.kind.anyOf.at(-1), { type: 'null' });
});

t.test('portable: draft-07 readable, refs inlined with the recursion cut and described', async (t) => {
  const { definition } = applyProfile(await sampleTool(), 'portable');
  const text = JSON.stringify(definition.inputSchema);
  t.notOk(text.includes('$schema') || text.includes('$defs') || text.includes('$ref'));
  t.match((definition.inputSchema as any).properties.tree.properties.children.items.properties.children.items.description, /recursive/);
});

t.test('arguments sent against a profile become arguments for the full schema', async (t) => {
  const def = await sampleTool();
  const full = validatorFor(def.inputSchema);
  const gem = applyProfile(def, 'gemini');
  const fromGemini = adaptArgs({ node_id: 'abc', page_size: 5, name: 'x', labels: '{"env":"prod"}', note: null }, def.inputSchema, 'gemini', gem.renames);
  t.same(fromGemini, { 'node-id': 'abc', 'page.size': 5, name: 'x', labels: { env: 'prod' }, note: null }, 'names back, JSON text parsed, null kept outside strict');
  t.ok(full(fromGemini));

  const strictArgs = { 'node-id': 'abc', 'page.size': null, name: 'x', note: null, kind: null, labels: null, tree: { label: 'root', children: null }, size: null };
  const fromStrict = adaptArgs(strictArgs, def.inputSchema, 'openai-strict', undefined);
  t.same(fromStrict, { 'node-id': 'abc', name: 'x', tree: { label: 'root' } }, 'null on optional properties means not sent, nested too');
  t.ok(full(fromStrict));
  t.notOk(full(strictArgs), 'without the step the full schema refuses those nulls');

  t.same(adaptArgs(strictArgs, def.inputSchema, 'full', undefined), strictArgs, 'full: untouched');
  t.same(adaptArgs({ name: '{"a":1}' }, def.inputSchema, 'gemini', undefined), { name: '{"a":1}' }, 'a string property keeps JSON-looking text');
});

t.test('a required nullable property keeps its null under openai-strict', async (t) => {
  const set = await toolsOf(
    oas31({
      '/x': {
        post: {
          operationId: 'x',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['due'], properties: { due: { type: ['string', 'null'] } } } } } },
          responses: { '200': { description: 'ok' } },
        },
      },
    }),
  );
  const def = set.tools[0]!.definition;
  t.same(adaptArgs({ due: null }, def.inputSchema, 'openai-strict', undefined), { due: null });
  t.same((applyProfile(def, 'openai-strict').definition.inputSchema as any).properties.due.type, ['string', 'null']);
});

t.test('validate’s profile report counts the tools that pass and names the first that do not', async (t) => {
  const { profileReport } = await import('../../src/cli/commands.js');
  const def = await sampleTool();
  const long = { ...def, name: `x${'y'.repeat(70)}` };
  const lines = profileReport([def, long]);
  t.equal(lines[0], 'schema profiles (tools passing): full 1/2, portable 2/2, gemini 1/2, openai-strict 1/2');
  t.match(lines[1], /full: xyyy.*: name longer than 64/);
});

t.test('gemini names start with a letter or _; other profiles keep the name', async (t) => {
  const def = { ...(await sampleTool()), name: '2fa_enable' };
  t.equal(applyProfile(def, 'gemini').definition.name, '_2fa_enable');
  t.equal(applyProfile(def, 'openai-strict').definition.name, '2fa_enable');
});
