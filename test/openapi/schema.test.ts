import t from 'tap';
import { SchemaConverter, type JsonSchema, type SchemaMode } from '../../src/openapi/schema.js';
import type { JsonObject } from '../../src/openapi/types.js';
import { oas30, refProblems, tool, toolsOf, validatorFor } from '../helpers/specs.js';

interface Converted {
  schema: JsonSchema;
  defs: JsonObject | undefined;
  warnings: string[];
}

/** One schema through a fresh converter, with `components.schemas` as the document. */
function convert(schema: unknown, opts: { dialect?: '3.0' | '3.1'; mode?: SchemaMode; schemas?: JsonObject } = {}): Converted {
  const conv = new SchemaConverter({ components: { schemas: opts.schemas ?? {} } }, opts.dialect ?? '3.0', opts.mode ?? 'input');
  const deps = new Set<string>();
  const out = conv.convert(schema, deps);
  return { schema: out, defs: conv.defsFor(deps), warnings: conv.warnings };
}

/** A converted schema with its `$defs`, ready for ajv. */
function compiled(c: Converted): (value: unknown) => boolean {
  const root: JsonObject = typeof c.schema === 'object' ? { ...c.schema } : { allOf: [c.schema] };
  if (c.defs) root.$defs = c.defs;
  return validatorFor(root);
}

const PET = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };

t.test('OpenAPI 3.0 keywords are rewritten into JSON Schema 2020-12', async (t) => {
  const cases: [string, unknown, JsonSchema][] = [
    ['nullable with a type adds null to the type', { type: 'string', nullable: true }, { type: ['string', 'null'] }],
    ['nullable with a type list adds null once', { type: ['string', 'integer'], nullable: true }, { type: ['string', 'integer', 'null'] }],
    ['nullable with an enum adds null to the enum too', { type: 'string', enum: ['a', 'b'], nullable: true }, { type: ['string', 'null'], enum: ['a', 'b', null] }],
    ['nullable: false is just dropped', { type: 'string', nullable: false }, { type: 'string' }],
    ['nullable without a type is dropped (the schema already admits null)', { nullable: true, description: 'anything' }, { description: 'anything' }],
    ['boolean exclusiveMinimum takes the value of minimum', { type: 'number', minimum: 0, exclusiveMinimum: true }, { type: 'number', exclusiveMinimum: 0 }],
    ['boolean exclusiveMaximum takes the value of maximum', { type: 'integer', maximum: 10, exclusiveMaximum: true }, { type: 'integer', exclusiveMaximum: 10 }],
    ['exclusiveMinimum: false leaves minimum alone', { type: 'number', minimum: 1, exclusiveMinimum: false }, { type: 'number', minimum: 1 }],
    ['a boolean exclusive bound without its bound is dropped', { type: 'number', exclusiveMaximum: true }, { type: 'number' }],
    ['a short string example becomes examples', { type: 'string', example: 'Rex' }, { type: 'string', examples: ['Rex'] }],
    ['a number example becomes examples', { type: 'integer', example: 0 }, { type: 'integer', examples: [0] }],
    ['an object example is dropped', { type: 'object', example: { a: 1 } }, { type: 'object' }],
    ['an array example is dropped', { type: 'array', example: [1, 2] }, { type: 'array', items: {} }],
    ['a long string example is dropped', { type: 'string', example: 'x'.repeat(200) }, { type: 'string' }],
    [
      'x- keys, discriminator, xml and externalDocs are dropped',
      { type: 'object', 'x-go-name': 'Pet', discriminator: { propertyName: 'kind' }, xml: { name: 'pet' }, externalDocs: { url: 'https://x' }, properties: { kind: { type: 'string', 'x-order': 1 } } },
      { type: 'object', properties: { kind: { type: 'string' } } },
    ],
    ['identity and comment keywords are dropped', { $id: 'urn:x', $schema: 'http://json-schema.org/draft-04/schema#', $comment: 'c', id: 'old', type: 'string' }, { type: 'string' }],
    ['duplicate required entries are deduplicated', { type: 'object', required: ['a', 'a', 'b', 'b'], properties: { a: {}, b: {} } }, { type: 'object', required: ['a', 'b'], properties: { a: {}, b: {} } }],
    ['required that is not a list is dropped', { type: 'object', required: true }, { type: 'object' }],
    ['an empty required list is dropped', { type: 'object', required: [] }, { type: 'object' }],
    ['type: file becomes a base64 string', { type: 'file' }, { type: 'string', contentEncoding: 'base64', description: '(base64-encoded file content)' }],
    ['an items list becomes prefixItems', { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] }, { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: {} }],
    ['a draft 2019 $recursiveAnchor is dropped', { $recursiveAnchor: true, type: 'object' }, { type: 'object' }],
    ['malformed structural keywords are dropped', { type: 'object', properties: null, enum: 'x', allOf: {}, required: 'yes' }, { type: 'object' }],
  ];
  for (const [name, input, want] of cases) t.same(convert(input).schema, want, name);
});

t.test('property names that look like keywords are kept: only keywords are dropped', async (t) => {
  const { schema } = convert({
    type: 'object',
    required: ['id', 'x-api-key'],
    properties: { id: { type: 'string' }, 'x-api-key': { type: 'string' }, example: { type: 'string' }, nullable: { type: 'boolean' }, $ref: { type: 'string' } },
  });
  t.same(Object.keys((schema as JsonObject).properties as object), ['id', 'x-api-key', 'example', 'nullable', '$ref']);
  t.same((schema as JsonObject).required, ['id', 'x-api-key']);
});

t.test('nullable on a $ref becomes anyOf the reference and null', async (t) => {
  const c = convert({ $ref: '#/components/schemas/Pet', nullable: true }, { schemas: { Pet: PET } });
  t.same(c.schema, { anyOf: [{ $ref: '#/$defs/Pet' }, { type: 'null' }] });
  t.same(Object.keys(c.defs ?? {}), ['Pet']);
  const v = compiled(c);
  t.ok(v(null));
  t.ok(v({ name: 'Rex' }));
  t.notOk(v({}), 'the referenced schema still applies');
});

t.test('a nullable $ref keeps its annotations, so a nullable readOnly reference still leaves inputs', async (t) => {
  const c = convert(
    {
      type: 'object',
      properties: {
        owner: { $ref: '#/components/schemas/Pet', nullable: true, description: 'The owner, if any' },
        creator: { $ref: '#/components/schemas/Pet', nullable: true, readOnly: true },
      },
    },
    { schemas: { Pet: PET } },
  );
  const props = (c.schema as JsonObject).properties as Record<string, JsonObject>;
  t.same(Object.keys(props), ['owner']);
  t.same(props.owner, { anyOf: [{ $ref: '#/$defs/Pet' }, { type: 'null' }], description: 'The owner, if any' });
});

t.test('nullable next to allOf accepts null and keeps the annotations outside', async (t) => {
  const c = convert({ allOf: [{ $ref: '#/components/schemas/Pet' }], nullable: true, description: 'The owner, if any' }, { schemas: { Pet: PET } });
  t.same(c.schema, { description: 'The owner, if any', anyOf: [{ allOf: [{ $ref: '#/$defs/Pet' }] }, { type: 'null' }] });
  const v = compiled(c);
  t.ok(v(null));
  t.ok(v({ name: 'Rex' }));
  t.notOk(v('Rex'));
});

t.test('a nullable readOnly property wrapped in anyOf is still removed from inputs', async (t) => {
  const c = convert({
    type: 'object',
    properties: { owner: { allOf: [{ $ref: '#/components/schemas/Pet' }], nullable: true, readOnly: true }, name: { type: 'string' } },
  }, { schemas: { Pet: PET } });
  t.same(Object.keys((c.schema as JsonObject).properties as object), ['name']);
});

t.test('in OpenAPI 3.1 documents type lists and numeric exclusive bounds are kept as written', async (t) => {
  const cases: [unknown, JsonSchema][] = [
    [{ type: ['string', 'null'] }, { type: ['string', 'null'] }],
    [{ type: ['integer', 'string'], minimum: 1 }, { type: ['integer', 'string'], minimum: 1 }],
    [{ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }],
    [{ type: 'string', examples: ['a', 'b'] }, { type: 'string', examples: ['a'] }],
    [{ const: 'x' }, { const: 'x' }],
  ];
  for (const [input, want] of cases) t.same(convert(input, { dialect: '3.1' }).schema, want, JSON.stringify(input));
});

t.test('a 3.1 document that still uses boolean exclusive bounds gets numeric ones (OpenAI does this)', async (t) => {
  const c = convert({ type: 'number', minimum: 0, maximum: 2, exclusiveMinimum: true }, { dialect: '3.1' });
  t.same(c.schema, { type: 'number', maximum: 2, exclusiveMinimum: 0 });
  t.doesNotThrow(() => compiled(c));
});

t.test('boolean schemas pass through wherever a schema is expected, except as a property’s schema', async (t) => {
  t.equal(convert(true).schema, true);
  t.equal(convert(false).schema, false);
  const c = convert({ type: 'object', properties: { any: true, never: false, list: { type: 'array', items: false } }, additionalProperties: false, not: false }, { dialect: '3.1' });
  // The MCP SDK client rejects a tool whose property schema is not an object: `true` is `{}`, and a
  // property that can never be sent (`false`) is left out, which additionalProperties: false keeps closed.
  t.same(c.schema, { type: 'object', properties: { any: {}, list: { type: 'array', items: false } }, additionalProperties: false, not: false });
  t.same(c.warnings, ['property "any" has the schema true; any value accepted', 'property "never" has false as its schema (a misplaced keyword?), which is not a schema; dropped']);
  const v = compiled(c);
  t.ok(v({ any: 1, list: [] }));
  t.notOk(v({ never: 1 }));
  t.notOk(v({ list: [1] }));
  t.notOk(v({ other: 1 }));
  t.same(convert('not a schema').schema, {}, 'a non-object non-boolean schema becomes {}');
});

t.test('a pattern that is invalid under the u flag is dropped with a warning; valid ones stay', async (t) => {
  const c = convert({
    type: 'object',
    properties: { bad: { type: 'string', pattern: '^[\\w-\\.]+$' }, good: { type: 'string', pattern: '^[a-z]+\\d*$' }, unicode: { type: 'string', pattern: '^\\p{L}+$' } },
  });
  const props = (c.schema as JsonObject).properties as Record<string, JsonObject>;
  t.same(props.bad, { type: 'string' });
  t.equal(props.good!.pattern, '^[a-z]+\\d*$');
  t.equal(props.unicode!.pattern, '^\\p{L}+$');
  t.equal(c.warnings.length, 1);
  t.match(c.warnings[0], /pattern .*\[\\\\w-\\\\\.\].* is not a valid JSON Schema regex; dropped/);
  t.doesNotThrow(() => compiled(c));
});

t.test('readOnly properties leave input schemas (and their required entries); writeOnly ones leave output schemas', async (t) => {
  const schema = {
    type: 'object',
    required: ['id', 'name', 'password'],
    properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' }, password: { type: 'string', writeOnly: true } },
  };
  const input = convert(schema, { mode: 'input' }).schema as JsonObject;
  t.same(Object.keys(input.properties as object), ['name', 'password']);
  t.same(input.required, ['name', 'password']);
  const output = convert(schema, { mode: 'output' }).schema as JsonObject;
  t.same(Object.keys(output.properties as object), ['id', 'name']);
  t.notOk('required' in output, 'output schemas do not insist on required fields');
});

t.test('output schemas tolerate extra properties the spec did not declare', async (t) => {
  const out = convert({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } }, { mode: 'output' }).schema as JsonObject;
  t.notOk('additionalProperties' in out);
  const input = convert({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } }, { mode: 'input' }).schema as JsonObject;
  t.equal(input.additionalProperties, false);
});

t.test('format: binary becomes a base64 string in inputs and stays binary in outputs', async (t) => {
  const input = convert({ type: 'string', format: 'binary', description: 'The photo.' }).schema;
  t.same(input, { type: 'string', description: 'The photo. (base64-encoded file content)', contentEncoding: 'base64' });
  const output = convert({ type: 'string', format: 'binary' }, { mode: 'output' }).schema;
  t.same(output, { type: 'string', format: 'binary' });
});

t.test('a $ref with sibling keywords keeps the reference, wrapped in allOf, and its annotations only', async (t) => {
  const c = convert(
    { $ref: '#/components/schemas/Pet', description: 'The pet to add', title: 'Pet', default: { name: 'Rex' }, type: 'string', 'x-extra': 1 },
    { schemas: { Pet: PET } },
  );
  // Never beside the $ref itself: Gemini rejects $ref siblings, so the reference moves into allOf.
  t.same(c.schema, { description: 'The pet to add', title: 'Pet', default: { name: 'Rex' }, allOf: [{ $ref: '#/$defs/Pet' }] });
  t.ok(compiled(c)({ name: 'Rex' }));
  t.notOk(compiled(c)({}), 'the reference still validates');
});

t.test('every referenced schema is converted once and shared through $defs', async (t) => {
  const conv = new SchemaConverter({ components: { schemas: { Pet: { ...PET, properties: { ...PET.properties, tag: { $ref: '#/components/schemas/Tag' } } }, Tag: { type: 'string', nullable: true } } } }, '3.0', 'input');
  const a = new Set<string>();
  const b = new Set<string>();
  t.same(conv.convert({ $ref: '#/components/schemas/Pet' }, a), { $ref: '#/$defs/Pet' });
  t.same(conv.convert({ type: 'array', items: { $ref: '#/components/schemas/Pet' } }, b), { type: 'array', items: { $ref: '#/$defs/Pet' } });
  const defsA = conv.defsFor(a)!;
  t.same(Object.keys(defsA), ['Pet', 'Tag'], 'the transitive closure, sorted');
  t.equal(defsA.Pet, conv.defsFor(b)!.Pet, 'the same converted object is shared, not copied');
  t.same(defsA.Tag, { type: ['string', 'null'] });
  t.equal(conv.defsFor(new Set()), undefined);
});

t.test('two referenced schemas with the same last segment get distinct $defs keys', async (t) => {
  const root = { components: { schemas: { Pet: PET } }, definitions: { Pet: { type: 'string' } }, other: { 'a b~1c': { type: 'integer' } } };
  const conv = new SchemaConverter(root, '3.0', 'input');
  const deps = new Set<string>();
  const out = conv.convert(
    { type: 'object', properties: { a: { $ref: '#/components/schemas/Pet' }, b: { $ref: '#/definitions/Pet' }, c: { $ref: '#/other/a%20b~01c' } } },
    deps,
  ) as JsonObject;
  const defs = conv.defsFor(deps)!;
  t.same(Object.keys(defs).sort(), ['Pet', 'Pet_2', 'a_b_1c'].sort());
  const refs = Object.values(out.properties as Record<string, JsonObject>).map((p) => p.$ref);
  t.equal(new Set(refs).size, 3);
  t.same(refProblems({ ...out, $defs: defs }), []);
});

t.test('a dangling $ref becomes a described empty schema and a warning, not a crash', async (t) => {
  const c = convert({ type: 'object', properties: { a: { $ref: '#/components/schemas/Missing' }, b: { $ref: 'other.yaml#/Thing' } } });
  const props = (c.schema as JsonObject).properties as Record<string, JsonObject>;
  t.same(props.a, { description: '(unresolved reference #/components/schemas/Missing)' });
  t.same(props.b, { description: '(unresolved reference other.yaml#/Thing)' });
  t.equal(c.defs, undefined);
  t.same(c.warnings, ['dangling $ref #/components/schemas/Missing', 'unresolved external $ref other.yaml#/Thing']);
});

t.test('nested 3.0 keywords are rewritten at every depth, including inside $defs', async (t) => {
  const c = convert(
    { type: 'object', properties: { list: { type: 'array', items: { $ref: '#/components/schemas/Item' } } } },
    { schemas: { Item: { type: 'object', 'x-internal': true, properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true, example: 3 }, s: { type: 'string', nullable: true } } } } },
  );
  t.same(c.defs, { Item: { type: 'object', properties: { n: { type: 'number', exclusiveMinimum: 0, examples: [3] }, s: { type: ['string', 'null'] } } } });
  t.notMatch(JSON.stringify(c), /nullable|x-internal|"example"/);
});

t.test('a tool body built from the 3.0 dialect validates what the API accepts and rejects what it does not', async (t) => {
  const set = await toolsOf(
    oas30({
      '/pets': {
        post: {
          operationId: 'addPet',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['name', 'name', 'weight'],
                  properties: {
                    id: { type: 'integer', readOnly: true },
                    name: { type: 'string', nullable: true, example: 'Rex', 'x-faker': 'name' },
                    weight: { type: 'number', minimum: 0, exclusiveMinimum: true },
                    kind: { type: 'string', enum: ['cat', 'dog'], nullable: true },
                    code: { type: 'string', pattern: '^[\\w-\\.]+$' },
                    photo: { type: 'string', format: 'binary' },
                  },
                },
              },
            },
          },
          responses: { '204': { description: 'ok' } },
        },
      },
    }),
  );
  const schema = tool(set, 'addPet').definition.inputSchema;
  t.same(Object.keys(schema.properties as object), ['name', 'weight', 'kind', 'code', 'photo']);
  t.same(schema.required, ['name', 'weight']);
  t.same(set.warnings.length, 1);
  const v = validatorFor(schema);
  t.ok(v({ name: null, weight: 0.5, kind: null, code: 'a.b' }));
  t.ok(v({ name: 'Rex', weight: 1, kind: 'cat', photo: 'aGVsbG8=' }));
  t.notOk(v({ name: 'Rex', weight: 0 }), 'exclusive minimum');
  t.notOk(v({ name: 'Rex', weight: 1, kind: 'cow' }));
  t.notOk(v({ name: 'Rex', weight: 1, id: 3 }), 'readOnly id is not an argument');
});

t.test('keyword values JSON Schema does not allow are dropped with a warning, so the tool still compiles (api.video, codat)', async (t) => {
  const c = convert({
    type: 'object',
    properties: {
      timecode: { type: 'string', pattern: 0 },
      itemType: { $ref: '#/components/schemas/ItemType' },
      count: { type: 'Integer', minimum: '1', maxLength: -1 },
      flag: { type: 'boolean', readOnly: 'no', description: { text: 'x' } },
    },
  }, { schemas: { ItemType: { type: { type: 'string', enum: ['Service'] } } } }); // a whole schema under `type`, as codat.io's accounting spec has it
  const validate = compiled(c);
  t.ok(validate({ timecode: 'anything', itemType: 'Service', count: 0, flag: true }), 'compiles and validates');
  t.notOk(validate({ count: 'three' }), 'a mis-cased type keeps its meaning: Integer → integer');
  for (const k of ['pattern', 'type', 'minimum', 'maxLength', 'readOnly', 'description']) t.match(c.warnings.join('\n'), new RegExp(`^${k}: .* is not a valid value for it; dropped$`, 'm'), `${k} is named`);
});

t.test('a value that is not a schema in a property’s place is repaired or dropped, with a warning', async (t) => {
  // Vercel's updateRecord writes `properties: { additionalProperties: false }`: a property whose schema is false.
  const c = convert({
    type: 'object',
    required: ['name', 'additionalProperties', 'kind'],
    properties: { name: { type: 'string' }, additionalProperties: false, kind: 'String', note: 'free text', count: 3, nothing: null },
  });
  const schema = c.schema as JsonObject;
  t.same(schema.properties, { name: { type: 'string' }, kind: { type: 'string' } }, 'a bare type name is read as {type}; other values are dropped');
  t.same(schema.required, ['name', 'kind'], 'a dropped property is not required');
  t.equal(c.warnings.length, 5, 'one warning per repaired property');
  t.match(c.warnings[0], /^property "additionalProperties" has false as its schema \(a misplaced keyword\?\)/);
  t.match(c.warnings[1], /^property "kind" has the bare type name "String"/);
  t.ok(compiled(c)({ name: 'a', kind: 'b' }));
});

t.test('enum values are listed once and an empty enum is dropped (draft-07 meta-validation rejects both)', async (t) => {
  const cases: [string, unknown, JsonSchema][] = [
    ['repeated strings', { type: 'string', enum: ['a', 'b', 'a', 'c', 'b'] }, { type: 'string', enum: ['a', 'b', 'c'] }],
    ['repeated objects, keys in any order', { enum: [{ a: 1, b: 2 }, { b: 2, a: 1 }, [1]] }, { enum: [{ a: 1, b: 2 }, [1]] }],
    ['1 and "1" differ', { enum: [1, '1', 1] }, { enum: [1, '1'] }],
    ['repeated null beside nullable', { type: 'string', enum: ['a', null, null], nullable: true }, { type: ['string', 'null'], enum: ['a', null] }],
    ['an empty enum', { type: 'string', enum: [] }, { type: 'string' }],
    ['a type list with repeats', { type: ['string', 'string', 'null'] }, { type: ['string', 'null'] }],
  ];
  for (const [name, input, want] of cases) t.same(convert(input).schema, want, name);
  t.same(convert({ type: 'string', enum: [] }).warnings, ['enum: [] is not a list of values; dropped']);
});

t.test('an array schema without items gets items: {} at any depth (OpenAI and VS Code reject it)', async (t) => {
  const c = convert({
    type: 'object',
    properties: { tags: { type: 'array' }, ids: { type: 'array', nullable: true }, either: { type: ['array', 'string'] }, kept: { type: 'array', items: { type: 'integer' } } },
  });
  t.same((c.schema as JsonObject).properties, {
    tags: { type: 'array', items: {} },
    ids: { type: ['array', 'null'], items: {} },
    either: { type: ['array', 'string'], items: {} },
    kept: { type: 'array', items: { type: 'integer' } },
  });
  const v = compiled(c);
  t.ok(v({ tags: [1, 'a'], ids: null, either: 'x', kept: [1] }), 'items: {} accepts any item, as leaving items out did');
  t.notOk(v({ kept: ['a'] }));
});
