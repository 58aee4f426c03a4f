import t from 'tap';
import { oas30, tool, toolsOf, type ServerPatch } from '../helpers/specs.js';

const ok = { '200': { description: 'ok' } };

/** A small store API: operations with and without operationIds, across tags, methods and paths. */
const store = oas30({
  '/pets': {
    get: { operationId: 'listPets', tags: ['pets'], responses: ok },
    post: { operationId: 'createPet', tags: ['pets', 'admin'], responses: ok },
  },
  '/pets/{petId}': {
    get: { operationId: 'getPet', tags: ['pets'], responses: ok },
    delete: { operationId: 'deletePet', tags: ['pets', 'admin'], responses: ok },
  },
  '/store/orders': { post: { operationId: 'placeOrder', tags: ['store'], responses: ok } },
  '/store/inventory': { get: { tags: ['store'], responses: ok } },
  '/internal/health': { get: { operationId: 'health', responses: ok } },
});

async function names(patch: ServerPatch): Promise<string[]> {
  return (await toolsOf(store, patch)).tools.map((x) => x.name);
}

t.test('without filters every operation becomes a tool', async (t) => {
  const set = await toolsOf(store);
  t.same(set.tools.map((x) => x.name), ['listPets', 'createPet', 'getPet', 'deletePet', 'placeOrder', 'get_store_inventory', 'health']);
  t.equal(set.operationCount, 7);
});

t.test('include and exclude filter on operation globs, tags, methods and paths', async (t) => {
  const cases: [string, ServerPatch['tools'], string[]][] = [
    ['operation globs match operationIds', { include: { operations: ['*Pet', 'placeOrder'] } }, ['createPet', 'getPet', 'deletePet', 'placeOrder']],
    ['operation globs match generated names too', { include: { operations: ['get_store_*'] } }, ['get_store_inventory']],
    ['? matches one character', { include: { operations: ['?etPet'] } }, ['getPet']],
    ['globs are case-sensitive', { include: { operations: ['listpets'] } }, []],
    ['tags', { include: { tags: ['store'] } }, ['placeOrder', 'get_store_inventory']],
    ['methods, in any case', { include: { methods: ['GET'] } }, ['listPets', 'getPet', 'get_store_inventory', 'health']],
    ['path globs', { include: { paths: ['/pets*'] } }, ['listPets', 'createPet', 'getPet', 'deletePet']],
    ['criteria in one filter must all match', { include: { tags: ['pets'], methods: ['get'] } }, ['listPets', 'getPet']],
    ['exclude by tag', { exclude: { tags: ['admin'] } }, ['listPets', 'getPet', 'placeOrder', 'get_store_inventory', 'health']],
    ['exclude by path', { exclude: { paths: ['/internal/*'] } }, ['listPets', 'createPet', 'getPet', 'deletePet', 'placeOrder', 'get_store_inventory']],
    ['exclude by method', { exclude: { methods: ['delete', 'post'] } }, ['listPets', 'getPet', 'get_store_inventory', 'health']],
    ['exclude wins over include', { include: { tags: ['pets'] }, exclude: { operations: ['deletePet'] } }, ['listPets', 'createPet', 'getPet']],
    ['an exclude needs every criterion to match', { exclude: { tags: ['pets'], methods: ['delete'] } }, ['listPets', 'createPet', 'getPet', 'placeOrder', 'get_store_inventory', 'health']],
  ];
  for (const [name, tools, want] of cases) t.same(await names({ tools }), want, name);
});

t.test('filters do not change operationCount, which counts the whole spec', async (t) => {
  const set = await toolsOf(store, { tools: { include: { tags: ['store'] } } });
  t.equal(set.tools.length, 2);
  t.equal(set.operationCount, 7);
});

t.test('an override renames a tool and replaces its title, description and annotations', async (t) => {
  const set = await toolsOf(store, {
    tools: {
      overrides: {
        listPets: { name: 'pets_list', title: 'List pets', description: 'Every pet in the store.', annotations: { openWorldHint: false } },
        get_store_inventory: { description: 'Stock counts by status.' },
        deletePet: { annotations: { destructiveHint: false } },
      },
    },
  });
  const list = tool(set, 'pets_list');
  t.equal(list.operationId, 'listPets');
  t.equal(list.definition.name, 'pets_list');
  t.equal(list.definition.title, 'List pets');
  t.equal(list.definition.description, 'Every pet in the store.');
  t.same(list.definition.annotations, { readOnlyHint: true, openWorldHint: false }, 'annotations are merged over the method defaults');
  t.equal(tool(set, 'get_store_inventory').definition.description, 'Stock counts by status.', 'generated names can be overridden too');
  t.same(tool(set, 'deletePet').definition.annotations, { destructiveHint: false, idempotentHint: true });
  t.notOk(set.tools.some((x) => x.name === 'listPets'));
  t.same(set.warnings, []);
});

t.test('an override that matches no operation gives a warning naming it and the nearest operation', async (t) => {
  const set = await toolsOf(store, { tools: { overrides: { listPet: { description: 'typo' }, getPet: { title: 'Get' } } } });
  t.same(set.warnings, ['tools.overrides.listPet matches no operation (did you mean "listPets"?)']);
  t.equal(tool(set, 'getPet').definition.title, 'Get');
});

t.test('an override name that clashes with another tool still yields unique names', async (t) => {
  const set = await toolsOf(store, { tools: { overrides: { listPets: { name: 'getPet' } } } });
  const all = set.tools.map((x) => x.name);
  t.equal(new Set(all).size, all.length);
  t.equal(all[0], 'getPet');
  t.match(all[2], /^getPet_[0-9a-f]{8}$/);
});

t.test('an override name is shortened to maxNameLength like any other name', async (t) => {
  const set = await toolsOf(store, { tools: { maxNameLength: 16, overrides: { listPets: { name: 'a_very_long_override_name_for_listing' } } } });
  t.match(set.tools[0]!.name, /^a_very_[0-9a-f]{8}$/);
  t.ok(set.tools.every((x) => x.name.length <= 16));
});
