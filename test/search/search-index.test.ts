import t from 'tap';
import { buildSearchIndex, pickMetaNames, resolveToolsMode, splitWords, stem, type SearchEntry } from '../../src/search/index.js';

const entry = (name: string, method: string, path: string, summary: string, extra: Partial<SearchEntry> = {}): SearchEntry => ({
  name,
  method,
  path,
  summary,
  description: summary,
  tags: [],
  tagText: '',
  params: [],
  required: [],
  aliases: [],
  ...extra,
});

t.test('identifiers split on camelCase, -, _, / and acronyms', async (t) => {
  const cases: [string, string[]][] = [
    ['listCoreV1NamespacedPod', ['list', 'core', 'v1', 'namespaced', 'pod']],
    ['activity/list-stargazers-for-repo', ['activity', 'list', 'stargazers', 'for', 'repo']],
    ['HTTPServer_get_URL', ['http', 'server', 'get', 'url']],
    ['/repos/{owner}/{repo}/issues', ['repos', 'owner', 'repo', 'issues']],
  ];
  for (const [input, want] of cases) t.same(splitWords(input), want, input);
});

t.test('the stemmer brings a word\'s forms together', async (t) => {
  const groups = [
    ['create', 'created', 'creating', 'creates', 'creation'],
    ['repository', 'repositories'],
    ['star', 'starred', 'stars'],
    ['evict', 'eviction'],
    ['status', 'statuses'],
    ['webhook', 'webhooks'],
  ];
  for (const g of groups) t.equal(new Set(g.map(stem)).size, 1, g.join(' '));
  t.not(stem('customer'), stem('custom'), 'customer is not custom');
});

const pets = [
  entry('listPets', 'GET', '/pets', 'List pets'),
  entry('createPet', 'POST', '/pets', 'Create a pet'),
  entry('getPet', 'GET', '/pets/{id}', 'Get a pet'),
  entry('updatePet', 'PATCH', '/pets/{id}', 'Update a pet'),
  entry('deletePet', 'DELETE', '/pets/{id}', 'Delete a pet'),
  entry('getPetPhoto', 'GET', '/pets/{id}/photo', 'Get the photo of a pet'),
];

t.test('verb intent picks the method: remove → DELETE, add → POST, change → PATCH, all → the collection', async (t) => {
  const index = buildSearchIndex(pets);
  const top = (q: string) => index.search(q, { limit: 1 })[0]?.name;
  t.equal(top('remove a pet'), 'deletePet');
  t.equal(top('add a new pet'), 'createPet');
  t.equal(top('change a pet'), 'updatePet');
  t.equal(top('all pets'), 'listPets');
  t.equal(top('pets'), 'listPets', 'a plural noun prefers the collection');
  t.equal(top('show one pet'), 'getPet');
});

t.test('lexicon synonyms bridge the user\'s word and the spec\'s', async (t) => {
  const index = buildSearchIndex([
    entry('issues/create', 'POST', '/repos/{owner}/{repo}/issues', 'Create an issue'),
    entry('repos/create', 'POST', '/user/repos', 'Create a repository'),
    entry('disputes/update', 'POST', '/v1/disputes/{dispute}', 'Update a dispute'),
  ]);
  t.equal(index.search('open a ticket', { limit: 1 })[0]?.name, 'issues/create');
  t.equal(index.search('respond to a chargeback', { limit: 1 })[0]?.name, 'disputes/update');
  t.same(index.search('zebra crossing'), [], 'nothing matches: no hits');
});

t.test('a description that repeats one word many times does not outrank a summary that names it', async (t) => {
  const index = buildSearchIndex([
    entry('getInvoice', 'GET', '/invoices/{id}', 'Get an invoice'),
    entry('getSettings', 'GET', '/settings', 'Get settings', { description: `Settings. ${'invoice '.repeat(40)}` }),
  ]);
  t.equal(index.search('invoice', { limit: 1 })[0]?.name, 'getInvoice');
});

t.test('hits carry the summary, method, path and required arguments; visible filters them', async (t) => {
  const index = buildSearchIndex([entry('deletePet', 'DELETE', '/pets/{id}', 'Delete a pet', { required: ['id'] }), ...pets.slice(0, 2)]);
  t.match(index.search('delete pet', { limit: 1 })[0], { name: 'deletePet', summary: 'Delete a pet', method: 'DELETE', path: '/pets/{id}', required: ['id'] });
  const names = index.search('delete pet', { visible: (n) => n !== 'deletePet' }).map((h) => h.name);
  t.notOk(names.includes('deletePet'), 'a hidden tool is never returned');
  t.ok(names.length > 0);
});

t.test('meta-tool names step aside of operations that have them', async (t) => {
  t.same(pickMetaNames(() => false), { search: 'search_tools', describe: 'describe_tools', call: 'call_tool' });
  const taken = new Set(['search_tools', 'api_search_tools', 'call_tool']);
  t.same(pickMetaNames((n) => taken.has(n)), { search: 'search_tools_2', describe: 'describe_tools', call: 'api_call_tool' });
});

t.test('mode auto is search past the budget and says why', async (t) => {
  t.match(resolveToolsMode('auto', 20_000, 4 * 20_001, 100), { mode: 'search', reason: /over tools.budget 20,000/ });
  t.match(resolveToolsMode('auto', 20_000, 4 * 20_000, 100), { mode: 'flat', reason: /within tools.budget/ });
  t.match(resolveToolsMode('auto', 20_000, 4 * 20_001, 3), { mode: 'flat', reason: /would not list fewer tools/ }, 'three tools or fewer stay flat however large');
  t.match(resolveToolsMode('auto', 20_000, 4 * 20_001, 4), { mode: 'search' });
  t.match(resolveToolsMode('flat', 0, 1e9, 100), { mode: 'flat', reason: /tools.mode is flat/ });
  t.match(resolveToolsMode('search', 1e9, 10, 1), { mode: 'search' });
});
