import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { isAppError } from '../../src/errors.js';
import { applyLayers } from '../../src/openapi/layers.js';
import { merge } from '../../src/openapi/overlay.js';
import type { OpenApiDoc } from '../../src/openapi/types.js';

// OpenAPI Overlay Specification 1.0 / 1.1 (update, remove, copy; RFC 9535 JSONPath targets), partial
// OpenAPI documents and HAPI's security file, each applied from a real file by applyLayers.

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-overlay-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | object): string {
  const f = path.join(dir, `layer-${n++}.yaml`);
  writeFileSync(f, typeof content === 'string' ? content : stringify(content));
  return f;
}
const overlay = (version: string, actions: object[]) => ({ overlay: version, info: { title: 't', version: '1' }, actions });
const items = (): OpenApiDoc => ({
  openapi: '3.1.0',
  info: { title: 'Example API', version: '1.0.0' },
  tags: [{ name: 'a' }],
  paths: {
    '/items': { get: { tags: ['dummy', 'keep'], parameters: [{ name: 'dummy', in: 'query' }, { name: 'q', in: 'query' }], responses: { '200': { description: 'OK' } } } },
    '/some-items': { delete: { responses: { '200': { description: 'OK' } } } },
  },
});
async function apply(doc: OpenApiDoc, ...layers: (string | object)[]) {
  const result = await applyLayers(doc, layers.map(file));
  return { doc, warnings: result.warnings };
}

t.test("the specification's examples give the results it shows", async (t) => {
  const cases: [string, object[], (d: OpenApiDoc) => unknown, unknown][] = [
    ['update merges into each selected object (wildcard)', [{ target: '$.paths.*.get', update: { 'x-safe': true } }], (d) => (d.paths!['/items'] as { get: object }).get, { 'x-safe': true }],
    ['update of a primitive replaces it (1.1)', [{ target: "$.paths['/items'].get.responses['200'].description", update: 'Fine' }], (d) => JSON.stringify(d.paths), /"description":"Fine"/],
    ['update of an array appends an object', [{ target: '$.tags', update: { name: 'b' } }], (d) => d.tags, [{ name: 'a' }, { name: 'b' }]],
    ['update of an array concatenates an array', [{ target: '$.tags', update: [{ name: 'b' }, { name: 'c' }] }], (d) => d.tags, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]],
    ['remove with a filter drops array items', [{ target: "$.paths.*.get.parameters[?@.name == 'dummy']", remove: true }], (d) => (d.paths!['/items'] as { get: { parameters: object[] } }).get.parameters, [{ name: 'q', in: 'query' }]],
    ['remove of a primitive array item (1.1)', [{ target: "$.paths.*.get.tags[?@ == 'dummy']", remove: true }], (d) => (d.paths!['/items'] as { get: { tags: string[] } }).get.tags, ['keep']],
    ['copy merges one node into the target (1.1 "simple copy")', [{ target: '$.paths["/some-items"]', copy: '$.paths["/items"]' }], (d) => Object.keys(d.paths!['/some-items'] as object).sort(), ['delete', 'get']],
    [
      'update + copy + remove moves a path item (1.1 "move")',
      [{ target: '$.paths', update: { '/new-items': {} } }, { target: '$.paths["/new-items"]', copy: '$.paths["/items"]' }, { target: '$.paths["/items"]', remove: true }],
      (d) => Object.keys(d.paths!).sort(),
      ['/new-items', '/some-items'],
    ],
    ['a structured update of $ leaves null-valued keys alone', [{ target: '$', update: { info: { 'x-overlay-applied': 'structured' }, components: null, tags: null } }], (d) => [d.info, d.tags], [{ title: 'Example API', version: '1.0.0', 'x-overlay-applied': 'structured' }, [{ name: 'a' }]]],
  ];
  for (const [i, [name, actions, pick, expected]] of cases.entries()) {
    const { doc } = await apply(items(), overlay('1.1.0', actions));
    if (expected instanceof RegExp || i === 0) t.match(pick(doc), expected, name);
    else t.same(pick(doc), expected, name);
  }
});

t.test('a target that matches nothing is a warning with file and line, and changes nothing', async (t) => {
  const f = `overlay: 1.0.0
info: { title: t, version: '1' }
actions:
  - target: $.info
    update: { x-a: 1 }
  - description: a typo
    target: $.paths['/itemz'].get
    update: { x-b: 1 }
`;
  const { doc, warnings } = await apply(items(), f);
  t.same(warnings, [`layer-${n - 1}.yaml:7: actions[1]: target $.paths['/itemz'].get matches nothing`]);
  t.equal((doc.info as Record<string, unknown>)['x-a'], 1, 'the other actions still apply');
});

t.test('what the specification calls an error is refused, naming the file, line and action', async (t) => {
  const cases: [string, object, RegExp][] = [
    ['copy in a 1.0 overlay', overlay('1.0.0', [{ target: '$.info', copy: '$.info' }]), /\.yaml:7: actions\[0\]: copy needs overlay: 1\.1\.0/],
    ['copy selecting two nodes', overlay('1.1.0', [{ target: '$.info', copy: '$.paths.*' }]), /must select exactly one node; it selects 2/],
    ['update and copy together', overlay('1.1.0', [{ target: '$.info', update: {}, copy: '$.info' }]), /both update and copy/],
    ['merging an object into a string', overlay('1.1.0', [{ target: '$.info', update: { title: { nested: true } } }]), /cannot merge an object into a primitive at \/info$/],
    ['an invalid JSONPath', overlay('1.1.0', [{ target: '$.paths[', update: {} }]), /target \$\.paths\[: not a valid RFC 9535 JSONPath/],
    ['a target without $', overlay('1.1.0', [{ target: 'paths', update: {} }]), /target must be a JSONPath expression starting with \$/],
    ['an unknown version', overlay('2.0.0', [{ target: '$', update: {} }]), /overlay: 2\.0\.0 is not a supported version/],
    ['removing the root', overlay('1.1.0', [{ target: '$', remove: true }]), /the whole document cannot be removed/],
  ];
  for (const [name, o, message] of cases) {
    const err = await applyLayers(items(), [file(o)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(isAppError(err, 'SPEC_INVALID'), `${name}: SPEC_INVALID`);
    t.match((err as Error).message, message, name);
  }
});

t.test('a partial OpenAPI document merges onto the spec; HAPI security files become one', async (t) => {
  const partial = { components: { securitySchemes: { oauth: { type: 'oauth2', 'x-client-id': 'client_1' } } }, security: [{ oauth: [] }] };
  const { doc } = await apply(items(), partial);
  t.same(doc.security, [{ oauth: [] }]);
  t.equal(((doc.components as Record<string, Record<string, Record<string, unknown>>>).securitySchemes!.oauth!)['x-client-id'], 'client_1');

  const hapi = {
    apiVersion: 'mcp.com.ai/v1',
    kind: 'Security',
    metadata: { name: 'hapi-security-config' },
    spec: {
      cors: { enabled: true, origin: ['http://localhost:6274'] },
      security: { demo_auth: { client_id: 'client_0', 'well-known': 'https://acme.authkit.app/.well-known/oauth-authorization-server' } },
      securitySchemes: { demo_auth: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://a/authorize', tokenUrl: 'https://a/token', scopes: { read: 'Read' } } } } },
    },
  };
  const { doc: d2 } = await apply(items(), hapi);
  t.same(d2['x-hapi'], { security: [{ demo_auth: hapi.spec.security.demo_auth }], cors: hapi.spec.cors });
  t.ok((d2.components as Record<string, Record<string, unknown>>).securitySchemes!.demo_auth, 'the scheme lands under components');
  t.notOk('kind' in d2 || 'spec' in d2 || 'metadata' in d2, "the file's own envelope is not merged");
});

t.test('layers apply in order, each to the result of the one before', async (t) => {
  const { doc } = await apply(items(), { info: { title: 'First' } }, overlay('1.1.0', [{ target: '$.info.title', update: 'Second' }]));
  t.equal(doc.info!.title, 'Second');
});

t.test('the merge rules, table-driven', async (t) => {
  t.same(merge({ a: 1, b: { c: 1 } }, { b: { d: 2 }, e: 3 }), { a: 1, b: { c: 1, d: 2 }, e: 3 });
  t.same(merge([1], [2, 3]), [1, 2, 3]);
  t.same(merge([1], 2), [1, 2]);
  t.equal(merge('a', 'b'), 'b');
  t.throws(() => merge({}, 'x'), /cannot merge a primitive into an object/);
  t.throws(() => merge('x', [1]), /cannot merge an array into a primitive/);
});
