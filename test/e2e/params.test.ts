import t from 'tap';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { callChecks } from '../helpers/calls.js';
import { startUpstream } from '../helpers/upstream.js';

// Every parameter location through the real SDK client, asserting on what a real upstream received.

const ok = { '200': { description: 'ok' } };
const str = { type: 'string' };
const path = (name: string, extra: object = {}) => ({ name, in: 'path', required: true, schema: str, ...extra });

const api = spec30({
  '/items/{id}': { get: { operationId: 'getItem', parameters: [path('id')], responses: ok } },
  '/styled/{lab}/{mat}/{arr}': {
    get: {
      operationId: 'getStyled',
      parameters: [
        path('lab', { style: 'label' }),
        path('mat', { style: 'matrix', explode: true, schema: { type: 'object', additionalProperties: { type: 'integer' } } }),
        path('arr', { schema: { type: 'array', items: { type: 'integer' } } }),
      ],
      responses: ok,
    },
  },
  '/files/{name}.{format}': { get: { operationId: 'getFile', parameters: [path('name'), path('format', { schema: { type: 'string', enum: ['csv', 'json'] } })], responses: ok } },
  '/search': {
    get: {
      operationId: 'search',
      parameters: [
        { name: 'q', in: 'query', schema: str },
        { name: 'tags', in: 'query', schema: { type: 'array', items: str } },
        { name: 'ids', in: 'query', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
        { name: 'words', in: 'query', style: 'spaceDelimited', schema: { type: 'array', items: str } },
        { name: 'pipes', in: 'query', style: 'pipeDelimited', schema: { type: 'array', items: str } },
        { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object', properties: { status: str, owner: { type: 'object', properties: { name: str } } } } },
        { name: 'color', in: 'query', schema: { type: 'object', properties: { R: { type: 'integer' }, G: { type: 'integer' } } } },
        { name: 'next', in: 'query', allowReserved: true, schema: str },
        { name: 'where', in: 'query', content: { 'application/json': { schema: { type: 'object' } } } },
        { name: 'limit', in: 'query', schema: { type: 'integer' } },
        { name: 'active', in: 'query', schema: { type: 'boolean' } },
        { name: '$select', in: 'query', schema: str },
        { name: 'page[size]', in: 'query', schema: { type: 'integer' } },
      ],
      responses: ok,
    },
  },
  '/headers': {
    get: {
      operationId: 'getHeaders',
      parameters: [
        { name: 'X-Trace', in: 'header', schema: str },
        { name: 'X-List', in: 'header', schema: { type: 'array', items: str } },
        { name: 'X-Obj', in: 'header', explode: true, schema: { type: 'object', additionalProperties: str } },
        { name: 'Authorization', in: 'header', schema: str },
        { name: 'Host', in: 'header', schema: str },
        { name: 'Cookie', in: 'header', schema: str },
        { name: 'Content-Length', in: 'header', schema: str },
        { name: 'X-Api-Key', in: 'header', schema: str },
        { name: 'session', in: 'cookie', schema: str },
        { name: 'prefs', in: 'cookie', explode: false, schema: { type: 'array', items: str } },
      ],
      responses: ok,
    },
  },
  '/orgs/{orgId}/members': {
    parameters: [path('orgId'), { name: 'page', in: 'query', description: 'path-level page', schema: str }, { name: 'X-Org', in: 'header', schema: str }],
    get: { operationId: 'listMembers', parameters: [{ name: 'page', in: 'query', description: 'operation page', schema: { type: 'integer', minimum: 1 } }], responses: ok },
    post: { operationId: 'addMember', responses: ok },
  },
  '/?Action=Describe': { get: { operationId: 'describe', parameters: [{ name: 'Version', in: 'query', required: true, schema: str }], responses: ok } },
  '/things/{id}': {
    put: {
      operationId: 'updateThing',
      parameters: [path('id')],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { id: str, name: str } } } } },
      responses: ok,
    },
  },
});

const up = await startUpstream();
t.teardown(() => up.close());
const upHost = new URL(up.url).host;
const sidecar = await startTestSidecar(t, {
  config: { servers: [{ path: '/mcp', spec: './api.json', upstream: { baseUrl: `${up.url}/api/v1`, timeout: '2s', headers: { 'X-Api-Key': 'secret-from-config' } } }] },
  files: { 'api.json': api },
});
const client = await connectClient(t, `${sidecar.url}/mcp`);
const { tools } = await client.listTools();
const schemaOf = (name: string) => tools.find((x) => x.name === name)!.inputSchema as { properties: Record<string, { description?: string; type?: string }>; required?: string[] };

const { sent, refused } = callChecks(client, up);

t.test('path values are encoded per segment and can never change the host or leave the base path', async (t) => {
  const values = ['../admin', '../../../etc/passwd', 'a/b', '?x=1', '#frag', '%2e%2e', '%2e%2e%2fadmin', 'http://evil.example/', '//evil.example', '..;/admin', '...', 'a b+c', '..\\admin', 'é'];
  for (const value of values) {
    const req = await sent(t, 'getItem', { id: value });
    t.equal(req.headers.host, upHost, `${JSON.stringify(value)}: same host`);
    t.ok(req.url.startsWith('/api/v1/items/'), `${JSON.stringify(value)}: under the base path, got ${req.url}`);
    const segment = req.url.slice('/api/v1/items/'.length);
    t.notMatch(segment, /[/?#\\]/, `${JSON.stringify(value)}: one segment, no query, no fragment`);
    t.equal(decodeURIComponent(segment), value, `${JSON.stringify(value)}: the upstream decodes the exact value`);
  }
});

t.test('a path value of ".", ".." or "" is refused as invalid params and nothing is sent', async (t) => {
  for (const id of ['.', '..', '']) {
    await refused(t, 'getItem', { id }, /Invalid arguments for tool getItem: path parameter "id" must not be/);
  }
  await refused(t, 'getStyled', { lab: '.', mat: { a: 1 }, arr: [1] }, /path parameter "lab" must not be "\."/);
  await refused(t, 'getStyled', { lab: '', mat: { a: 1 }, arr: [1] }, /path parameter "lab" must not be empty/);
  await refused(t, 'getFile', { name: '..', format: 'csv' }, /path parameter "name"/);
  await refused(t, 'getItem', {}, /id: is required/);
  await refused(t, 'getItem', { id: 'a\uD800' }, /argument "id" is not well-formed Unicode/);
  await refused(t, 'search', { q: '\uDC00' }, /argument "q" is not well-formed Unicode/);
  const after = await sent(t, 'getItem', { id: 'still-works' });
  t.equal(after.url, '/api/v1/items/still-works', 'a refusal does not break the next call');
});

t.test('label, matrix and simple path styles reach the upstream as the spec describes', async (t) => {
  const req = await sent(t, 'getStyled', { lab: 'v 1', mat: { x: 1, y: 2 }, arr: [3, 4] });
  t.equal(req.url, '/api/v1/styled/.v%201/;x=1;y=2/3,4');
});

t.test('a /{name}.{format} template fills both parameters inside one segment', async (t) => {
  t.equal((await sent(t, 'getFile', { name: 'report 2024', format: 'csv' })).url, '/api/v1/files/report%202024.csv');
  t.equal((await sent(t, 'getFile', { name: 'a/../b', format: 'json' })).url, '/api/v1/files/a%2F..%2Fb.json');
  await refused(t, 'getFile', { name: 'x', format: 'exe' }, /format: must be one of \["csv","json"\]/);
});

t.test('query parameters of every style reach the upstream byte for byte', async (t) => {
  const req = await sent(t, 'search', {
    q: 'a&b=c #1',
    tags: ['x', 'y z'],
    ids: [1, 2, 3],
    words: ['hello', 'world'],
    pipes: ['a', 'b'],
    filter: { status: 'open', owner: { name: 'Ann' } },
    color: { R: 1, G: 2 },
    next: '/page/2?cursor=a:b',
    where: { age: { $gt: 3 } },
    limit: 10,
    active: false,
    select: 'id,name',
    page_size: 50,
  });
  t.equal(
    req.url,
    '/api/v1/search?' +
      [
        'q=a%26b%3Dc%20%231',
        'tags=x',
        'tags=y%20z',
        'ids=1,2,3',
        'words=hello%20world',
        'pipes=a|b',
        'filter[status]=open',
        'filter[owner][name]=Ann',
        'R=1',
        'G=2',
        'next=/page/2?cursor%3Da:b',
        'where=%7B%22age%22%3A%7B%22%24gt%22%3A3%7D%7D',
        'limit=10',
        'active=false',
        '%24select=id%2Cname',
        'page%5Bsize%5D=50',
      ].join('&'),
  );
  const parsed = new URL(req.url, 'http://x').searchParams;
  t.equal(parsed.get('q'), 'a&b=c #1', 'a standard parser reads the value back');
  t.same(JSON.parse(parsed.get('where')!), { age: { $gt: 3 } }, 'the content-encoded parameter is JSON');
  t.equal(parsed.get('$select'), 'id,name', 'the wire name is kept while the argument name is safe');
  t.same(Object.keys(schemaOf('search').properties).filter((k) => /select|page/.test(k)), ['select', 'page_size']);
});

t.test('optional query parameters that are not given are left out entirely', async (t) => {
  t.equal((await sent(t, 'search', { q: 'x' })).url, '/api/v1/search?q=x');
  t.equal((await sent(t, 'search', {})).url, '/api/v1/search');
  t.equal((await sent(t, 'search', { tags: [] })).url, '/api/v1/search', 'an empty exploded array adds nothing');
});

t.test('header parameters are sent by their wire name in the simple style', async (t) => {
  const req = await sent(t, 'getHeaders', { 'X-Trace': 'abc-123', 'X-List': ['a', 'b'], 'X-Obj': { k: 'v', n: '1' } });
  t.equal(req.headers['x-trace'], 'abc-123');
  t.equal(req.headers['x-list'], 'a,b');
  t.equal(req.headers['x-obj'], 'k=v,n=1');
  t.equal(req.headers.accept, 'application/json, */*;q=0.8');
});

t.test('a header value with CR, LF or characters a header cannot carry is refused and nothing is sent', async (t) => {
  await refused(t, 'getHeaders', { 'X-Trace': 'x\r\nX-Injected: 1' }, /header parameter "X-Trace" must not contain line breaks/);
  await refused(t, 'getHeaders', { 'X-Trace': 'x\nX-Injected: 1' }, /line breaks/);
  await refused(t, 'getHeaders', { 'X-List': ['ok', 'x\rX-Injected: 1'] }, /header parameter "X-List"/);
  await refused(t, 'getHeaders', { 'X-Trace': '日本' }, /header parameter "X-Trace" must contain only Latin-1 characters/);
  const after = await sent(t, 'getHeaders', { 'X-Trace': 'clean' });
  t.equal(after.headers['x-injected'], undefined);
  t.equal(after.headers['x-trace'], 'clean');
});

t.test('declared Authorization, Host, Cookie and framing headers are never taken from arguments', async (t) => {
  const props = Object.keys(schemaOf('getHeaders').properties);
  for (const name of ['Authorization', 'Host', 'Cookie', 'Content-Length']) t.notOk(props.includes(name), `${name} is not an argument`);
  await refused(t, 'getHeaders', { Authorization: 'Bearer stolen' }, /Authorization: is not a known argument/);
  await refused(t, 'getHeaders', { Host: 'evil.example' }, /Host: is not a known argument/);
  await refused(t, 'getHeaders', { Cookie: 'admin=1' }, /Cookie: is not a known argument/);
  const req = await sent(t, 'getHeaders', {});
  t.equal(req.headers.host, upHost);
  t.equal(req.headers.authorization, undefined);
  t.equal(req.headers.cookie, undefined);
});

t.test('static upstream headers from config are sent and an argument cannot replace them', async (t) => {
  t.equal((await sent(t, 'getItem', { id: '1' })).headers['x-api-key'], 'secret-from-config', 'sent on every call');
  await refused(t, 'getHeaders', { 'X-Api-Key': 'chosen-by-the-model' }, /X-Api-Key: is not a known argument/);
  t.equal((await sent(t, 'getHeaders', {})).headers['x-api-key'], 'secret-from-config', 'a declared parameter of the same name is the configured value');
});

t.test('a header set in upstream.headers is not offered as a tool argument', async (t) => {
  t.notOk(Object.keys(schemaOf('getHeaders').properties).includes('X-Api-Key'), 'X-Api-Key is not an argument');
});

t.test('cookie parameters become one Cookie header with encoded values', async (t) => {
  const req = await sent(t, 'getHeaders', { session: 'abc; admin=1', prefs: ['dark', 'compact'] });
  t.equal(req.headers.cookie, 'session=abc%3B%20admin%3D1; prefs=dark,compact');
});

t.test('path-level parameters are merged with the operation’s, and the operation’s override them', async (t) => {
  const list = schemaOf('listMembers');
  t.same(Object.keys(list.properties).sort(), ['X-Org', 'orgId', 'page']);
  t.equal(list.properties.page!.type, 'integer');
  t.equal(list.properties.page!.description, 'operation page');
  t.equal(schemaOf('addMember').properties.page!.description, 'path-level page');
  const get = await sent(t, 'listMembers', { orgId: 'acme', page: 2, 'X-Org': 'o-1' });
  t.equal(get.url, '/api/v1/orgs/acme/members?page=2', 'the page parameter is sent once');
  t.equal(get.headers['x-org'], 'o-1');
  await refused(t, 'listMembers', { orgId: 'acme', page: 'two' }, /page: must be integer/);
  const post = await sent(t, 'addMember', { orgId: 'acme', page: 'two' });
  t.equal(post.method, 'POST');
  t.equal(post.url, '/api/v1/orgs/acme/members?page=two');
});

t.test('a path with a fixed query string keeps it and appends the declared parameters', async (t) => {
  const req = await sent(t, 'describe', { Version: '2016-11-15' });
  t.equal(req.method, 'GET');
  t.equal(req.url, '/api/v1/?Action=Describe&Version=2016-11-15');
  await refused(t, 'describe', {}, /Version: is required/);
});

t.test('a path id and a body property id become the arguments id and body_id', async (t) => {
  const schema = schemaOf('updateThing');
  t.same(Object.keys(schema.properties).sort(), ['body_id', 'id', 'name']);
  t.same(schema.required, ['id', 'name']);
  const req = await sent(t, 'updateThing', { id: 'path-1', body_id: 'body-2', name: 'Widget' });
  t.equal(req.method, 'PUT');
  t.equal(req.url, '/api/v1/things/path-1');
  t.equal(req.headers['content-type'], 'application/json');
  t.same(JSON.parse(req.body.toString('utf8')), { id: 'body-2', name: 'Widget' });
});
