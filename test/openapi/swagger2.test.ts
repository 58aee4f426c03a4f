import t from 'tap';
import type { JsonObject } from '../../src/openapi/types.js';
import { compileProblems, refProblems, tool, toolsOf, toolsOfFile, validatorFor } from '../helpers/specs.js';

const load = () => toolsOfFile('swagger2-petstore.yaml', { upstream: { baseUrl: undefined } });
const props = (schema: JsonObject) => Object.keys(schema.properties as object);

t.test('a Swagger 2.0 spec gives one tool per operation with the host as base URL', async (t) => {
  const set = await load();
  t.same(set.tools.map((x) => x.name), ['findPets', 'addPet', 'addPets', 'updatePetWithForm', 'deletePet', 'uploadFile']);
  t.equal(set.operationCount, 6);
  t.equal(set.baseUrl, 'https://petstore.example.com/v2');
  t.same(set.warnings, []);
  t.same(compileProblems(set.tools), []);
  for (const x of set.tools) t.same([...refProblems(x.definition.inputSchema), ...refProblems(x.definition.outputSchema)], [], x.name);
});

t.test('an in: body parameter becomes flattened body arguments from its definition, with global parameters kept', async (t) => {
  const add = tool(await load(), 'addPet');
  t.same(props(add.definition.inputSchema), ['token', 'name', 'nickname', 'photoUrls', 'category', 'status']);
  t.same(add.definition.inputSchema.required, ['token', 'name', 'photoUrls']);
  t.equal(add.binding.body?.mediaType, 'application/json');
  t.same(add.binding.query.map((q) => q.name), ['token']);
  const p = add.definition.inputSchema.properties as Record<string, JsonObject>;
  t.same(p.token, { type: 'string', description: 'API token.' });
  t.same(p.nickname, { type: ['string', 'null'] }, 'x-nullable becomes a null type');
  t.same(p.name, { type: 'string', examples: ['doggie'] });
  t.same(p.category, { $ref: '#/$defs/Category' });
  t.same(Object.keys(add.definition.inputSchema.$defs as object), ['Category']);
  t.notOk('id' in p, 'the readOnly id is not an input');
  const v = validatorFor(add.definition.inputSchema);
  t.ok(v({ token: 't', name: 'Rex', photoUrls: [], category: { name: 'dogs', parent: { name: 'animals' } } }));
  t.notOk(v({ token: 't', name: 'Rex' }), 'photoUrls is required');
  t.notOk(v({ token: 't', name: 'Rex', photoUrls: [], status: 'lost' }));
});

t.test('an in: body array parameter stays whole under `body`', async (t) => {
  const batch = tool(await load(), 'addPets');
  t.same(props(batch.definition.inputSchema), ['body']);
  t.same(batch.definition.inputSchema.required, ['body']);
  t.same((batch.definition.inputSchema.properties as JsonObject).body, { type: 'array', items: { $ref: '#/$defs/Pet' } });
  t.same(Object.keys(batch.definition.inputSchema.$defs as object), ['Category', 'Pet']);
});

t.test('in: formData parameters become a form body that honours the operation’s consumes', async (t) => {
  const form = tool(await load(), 'updatePetWithForm');
  t.equal(form.binding.body?.kind, 'form');
  t.equal(form.binding.body?.mediaType, 'application/x-www-form-urlencoded');
  t.same(props(form.definition.inputSchema), ['petId', 'name', 'status']);
  t.same(form.definition.inputSchema.required, ['petId', 'name']);
  t.same((form.definition.inputSchema.properties as JsonObject).petId, { type: 'integer', format: 'int64' }, 'the path-level parameter is merged in');
});

t.test('a type: file formData parameter becomes a required base64 multipart field', async (t) => {
  const upload = tool(await load(), 'uploadFile');
  t.equal(upload.binding.body?.kind, 'multipart');
  t.same(props(upload.definition.inputSchema), ['petId', 'additionalMetadata', 'file']);
  t.same((upload.definition.inputSchema.properties as JsonObject).file, { description: 'The image. (base64-encoded file content)', type: 'string', contentEncoding: 'base64' });
  t.same([...upload.binding.body!.binaryProps], ['file']);
  t.same(upload.definition.inputSchema.required, ['petId', 'file'], 'a required field after an optional one still makes the body required');
});

t.test('query arrays keep their collectionFormat as style and explode', async (t) => {
  const find = tool(await load(), 'findPets');
  t.same(
    find.binding.query.map((q) => [q.name, q.style, q.explode]),
    [
      ['pageSize', 'form', true],
      ['status', 'form', true],
      ['tags', 'form', false],
    ],
  );
  t.same((find.definition.inputSchema.properties as JsonObject).pageSize, { type: 'integer', minimum: 1, maximum: 100, default: 20 });
  t.same(find.binding.headers.map((h) => h.name), ['X-Request-Id']);
});

t.test('Swagger 2.0 responses with produces: application/json get output schemas', async (t) => {
  const set = await load();
  t.same(set.tools.filter((x) => x.definition.outputSchema).map((x) => x.name), ['findPets', 'addPet', 'uploadFile']);
  const out = tool(set, 'addPet').definition.outputSchema!;
  t.equal(out.type, 'object');
  t.ok('id' in (out.properties as object), 'readOnly fields are part of the output');
  t.equal(tool(set, 'addPet').binding.accept, 'application/json, */*;q=0.8');
});

t.test('global consumes applies to operations that do not set their own', async (t) => {
  const set = await toolsOf({
    swagger: '2.0',
    info: { title: 'x', version: '1' },
    host: 'api.example.com',
    consumes: ['application/x-www-form-urlencoded'],
    paths: {
      '/messages': {
        post: {
          operationId: 'postMessage',
          parameters: [
            { name: 'text', in: 'formData', type: 'string' },
            { name: 'channel', in: 'formData', type: 'string', required: true },
            { name: 'token', in: 'header', type: 'string' },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  });
  const post = tool(set, 'postMessage');
  t.equal(post.binding.body?.mediaType, 'application/x-www-form-urlencoded');
  t.same(props(post.definition.inputSchema), ['token', 'text', 'channel']);
  t.same(post.definition.inputSchema.required, ['channel']);
});
