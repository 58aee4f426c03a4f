import t from 'tap';
import { fitName, nameFromRoute, NameRegistry, sanitizeName, shortHash, withLeadingLetter } from '../../src/openapi/names.js';
import { oas30, tool, TOOL_NAME, toolsOf } from '../helpers/specs.js';

const ok = { '200': { description: 'ok' } };

t.test('sanitizeName keeps [A-Za-z0-9_-], folds accents and collapses every other run to one underscore', async (t) => {
  const cases: [string, string][] = [
    ['listPets', 'listPets'],
    ['list-pets_v2', 'list-pets_v2'],
    ['get pets/{id}:list', 'get_pets_id_list'],
    ['Créer un élément', 'Creer_un_element'],
    ['naïve.café', 'naive_cafe'],
    ['__private__', 'private'],
    ['a..b//c', 'a_b_c'],
    ['获取用户', ''],
    ['ｆｕｌｌｗｉｄｔｈ', 'fullwidth'],
  ];
  for (const [raw, want] of cases) t.equal(sanitizeName(raw), want, JSON.stringify(raw));
});

t.test('nameFromRoute joins the method and the path without braces', async (t) => {
  t.equal(nameFromRoute('get', '/pets/{petId}'), 'get_pets_petId');
  t.equal(nameFromRoute('delete', '/users/{user-id}/keys/{key.id}'), 'delete_users_user-id_keys_key_id');
  t.equal(nameFromRoute('get', '/'), 'get');
  t.equal(nameFromRoute('post', '/?Action=RunInstances'), 'post_Action_RunInstances');
});

t.test('fitName leaves short names alone and shortens long ones to exactly max with a hash of the full name', async (t) => {
  t.equal(fitName('short', 64), 'short');
  t.equal(fitName('x'.repeat(64), 64), 'x'.repeat(64));
  const long = `${'a'.repeat(60)}_tail_one`;
  const fitted = fitName(long, 64);
  t.equal(fitted.length, 64);
  t.equal(fitted, `${'a'.repeat(55)}_${shortHash(long)}`);
  t.not(fitName(`${'a'.repeat(60)}_tail_two`, 64), fitted, 'names that share a prefix stay distinct');
  t.match(fitName(`${'b'.repeat(54)}______________`, 64), /^b{54}_[0-9a-f]{8}$/, 'no run of underscores before the hash');
});

t.test('fitName honours very small limits (maxNameLength may be as low as 8)', async (t) => {
  for (const max of [8, 9, 10, 12, 20]) {
    const name = fitName('a_rather_long_operation_name', max);
    t.ok(name.length <= max, `max ${max}: ${name}`);
    t.match(name, TOOL_NAME);
  }
  t.not(fitName('operation_one_long', 8), fitName('operation_two_long', 8));
});

t.test('NameRegistry gives a clashing name a suffix from the route hash and never hands out a name twice', async (t) => {
  const names = new NameRegistry(64);
  t.equal(names.claim('dup', 'get /a'), 'dup');
  t.equal(names.claim('dup', 'post /a'), `dup_${shortHash('post /a')}`);
  t.equal(names.claim('dup', 'get /b'), `dup_${shortHash('get /b')}`);
  t.ok(names.has('dup'));
  t.notOk(names.has('other'));
  // The same route twice (e.g. two overrides asking for one name) still yields distinct names.
  const again = names.claim('dup', 'get /b');
  t.equal(again, `dup_${shortHash('get /b')}_2`);
});

t.test('NameRegistry keeps clash-suffixed names within a small limit', async (t) => {
  const names = new NameRegistry(8);
  const got = [names.claim('abcdefgh', 'get /a'), names.claim('abcdefgh', 'get /b'), names.claim('abcdefgh', 'get /b'), names.claim('abcdefgh', 'get /b')];
  t.equal(new Set(got).size, 4, got.join(', '));
  for (const n of got) t.ok(n.length <= 8 && TOOL_NAME.test(n), n);
});

t.test('a tool keeps its operationId as its name', async (t) => {
  const set = await toolsOf(oas30({ '/pets': { get: { operationId: 'listPets', responses: ok } } }));
  t.same(set.tools.map((x) => x.name), ['listPets']);
  t.equal(tool(set, 'listPets').operationId, 'listPets');
});

t.test('an operation without operationId is named from its method and path', async (t) => {
  const set = await toolsOf(
    oas30({
      '/pets/{petId}': { get: { responses: ok }, delete: { responses: ok } },
      '/pets/{petId}/photos/{photo.id}': { put: { responses: ok } },
      '/': { get: { responses: ok } },
    }),
  );
  t.same(set.tools.map((x) => x.name), ['get_pets_petId', 'delete_pets_petId', 'put_pets_petId_photos_photo_id', 'get']);
  t.equal(tool(set, 'get_pets_petId').operationId, undefined);
});

t.test('operationIds with characters outside [A-Za-z0-9_-] are sanitised, and empty results fall back to the route', async (t) => {
  const set = await toolsOf(
    oas30({
      '/a': { get: { operationId: 'pets.list:all', responses: ok }, post: { operationId: 'Créer un élément', responses: ok } },
      '/b': { get: { operationId: '获取用户', responses: ok }, post: { operationId: '!!!', responses: ok } },
    }),
  );
  t.same(set.tools.map((x) => x.name), ['pets_list_all', 'Creer_un_element', 'get_b', 'post_b']);
  for (const x of set.tools) t.match(x.name, TOOL_NAME);
});

t.test('duplicate operationIds get distinct names that do not depend on the order of the other operations', async (t) => {
  const paths = {
    '/a': { get: { operationId: 'dup', responses: ok }, post: { operationId: 'dup', responses: ok } },
    '/b': { get: { operationId: 'dup', responses: ok } },
  };
  const set = await toolsOf(oas30(paths));
  const names = set.tools.map((x) => x.name);
  t.same(names, ['dup', `dup_${shortHash('post /a')}`, `dup_${shortHash('get /b')}`]);
  // Adding an unrelated operation does not rename the clashing ones.
  const more = await toolsOf(oas30({ '/0': { get: { operationId: 'first', responses: ok } }, ...paths }));
  t.same(more.tools.map((x) => x.name).slice(1), names);
});

t.test('a generated name that equals another operationId does not collide with it', async (t) => {
  const set = await toolsOf(oas30({ '/pets': { get: { responses: ok }, post: { operationId: 'get_pets', responses: ok } } }));
  const names = set.tools.map((x) => x.name);
  t.equal(new Set(names).size, 2);
  t.equal(names[0], 'get_pets');
  t.match(names[1], /^get_pets_[0-9a-f]{8}$/);
});

t.test('names longer than the default 48 characters are shortened to 48 with a stable hash suffix', async (t) => {
  const longA = `${'veryLongOperationIdentifier'.repeat(3)}A`;
  const longB = `${'veryLongOperationIdentifier'.repeat(3)}B`;
  const set = await toolsOf(
    oas30({
      '/a': { get: { operationId: longA, responses: ok }, post: { operationId: longB, responses: ok } },
      '/organizations/{organizationId}/projects/{projectId}/environments/{environmentId}/variables': { get: { responses: ok } },
    }),
  );
  const names = set.tools.map((x) => x.name);
  t.same(names.map((n) => n.length), [48, 48, 48]);
  t.equal(names[0], fitName(longA, 48));
  t.equal(names[1], fitName(longB, 48));
  t.not(names[0], names[1]);
  t.match(names[2], /^get_organizations_organizationId_projec_[0-9a-f]{8}$/);
});

t.test('maxNameLength from the config bounds every name', async (t) => {
  const paths: Record<string, object> = {};
  for (let i = 0; i < 30; i++) paths[`/resources/group${i}/{id}`] = { get: { operationId: `retrieveTheResourceByIdentifier${i % 3}`, responses: ok }, post: { responses: ok } };
  for (const maxNameLength of [8, 16, 32, 128]) {
    const set = await toolsOf(oas30(paths), { tools: { maxNameLength } });
    const names = set.tools.map((x) => x.name);
    t.equal(names.length, 60);
    t.equal(new Set(names).size, 60, `unique at ${maxNameLength}`);
    t.ok(names.every((n) => n.length <= maxNameLength && TOOL_NAME.test(n)), `all within ${maxNameLength}`);
  }
  const roomy = await toolsOf(oas30(paths), { tools: { maxNameLength: 128 } });
  t.equal(roomy.tools[0]!.name, 'retrieveTheResourceByIdentifier0', 'a larger limit keeps names whole');
  t.equal(roomy.tools[1]!.name, 'post_resources_group0_id');
});

t.test('building the same spec twice gives identical names', async (t) => {
  const paths: Record<string, object> = {};
  for (let i = 0; i < 40; i++) {
    paths[`/things/${i}/{id}`] = {
      get: { operationId: i % 4 === 0 ? 'dup' : `op${'X'.repeat(60)}${i % 7}`, responses: ok },
      post: { responses: ok },
      delete: { operationId: 'dup', responses: ok },
    };
  }
  const a = await toolsOf(oas30(paths));
  const b = await toolsOf(oas30(paths));
  t.equal(a.tools.length, 120);
  t.same(a.tools.map((x) => x.name), b.tools.map((x) => x.name));
  t.equal(new Set(a.tools.map((x) => x.name)).size, 120);
  t.ok(a.tools.every((x) => x.name.length <= 64 && TOOL_NAME.test(x.name)));
});

t.test('a name never starts with a digit (Gemini wants a letter or an underscore first), and stays unique', async (t) => {
  t.equal(withLeadingLetter('2fa_enable'), '_2fa_enable');
  t.equal(withLeadingLetter('enable_2fa'), 'enable_2fa');
  const set = await toolsOf(
    oas30({
      '/a': { get: { operationId: '2fa_enable', responses: ok }, post: { operationId: '_2fa_enable', responses: ok } },
      '/b': { get: { operationId: '123', responses: ok } },
    }),
  );
  const names = set.tools.map((x) => x.name);
  t.same(names.slice(0, 1), ['_2fa_enable']);
  t.match(names[1], /^_2fa_enable_[0-9a-f]{8}$/, 'sanitizeName strips leading underscores, so a clash gets the route hash');
  t.equal(names[2], '_123');
  for (const max of [8, 9, 10]) {
    const small = new NameRegistry(max);
    for (const route of ['get /a', 'get /b', 'get /c']) t.match(small.claim('a_rather_long_operation_name', route), /^[A-Za-z_][A-Za-z0-9_-]*$/, `max ${max}`);
  }
});
