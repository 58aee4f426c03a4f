import t from 'tap';
import { isAppError } from '../../src/errors.js';
import { serverUrl } from '../../src/openapi/operations.js';
import { buildToolSet } from '../../src/openapi/tools.js';
import { oas30, serverConfig, specOf, tool, toolsOf, type ServerPatch } from '../helpers/specs.js';

const ok = { '200': { description: 'ok' } };
const noBaseUrl: ServerPatch = { upstream: { baseUrl: undefined } };

async function baseUrlOf(doc: object, source: string, patch: ServerPatch = noBaseUrl): Promise<string> {
  return buildToolSet(await specOf(doc, source), serverConfig(patch)).baseUrl;
}

t.test('serverUrl substitutes variables (overrides, then defaults) and resolves relative URLs against a base', async (t) => {
  const server = { url: 'https://{region}.api.example.com:{port}/{version}', variables: { region: { default: 'eu' }, port: { default: '8443' }, version: { default: 'v2' } } };
  t.equal(serverUrl(server, undefined), 'https://eu.api.example.com:8443/v2');
  t.equal(serverUrl(server, undefined, { region: 'us' }), 'https://us.api.example.com:8443/v2');
  t.equal(serverUrl({ url: '/v1' }, 'https://specs.example.com/openapi/spec.yaml'), 'https://specs.example.com/v1');
  t.equal(serverUrl({ url: 'v1/' }, 'https://specs.example.com/openapi/spec.yaml'), 'https://specs.example.com/openapi/v1/');
  t.equal(serverUrl({ url: '/v1' }, undefined), undefined, 'relative without a base cannot be resolved');
  t.equal(serverUrl({}, 'https://x'), undefined);
});

t.test('the configured upstream.baseUrl wins over the spec’s servers', async (t) => {
  const doc = oas30({ '/a': { get: { operationId: 'a', responses: ok } } }, { servers: [{ url: 'https://prod.example.com' }] });
  t.equal(await baseUrlOf(doc, '/virtual/openapi.yaml', { upstream: { baseUrl: 'http://localhost:9999/base' } }), 'http://localhost:9999/base');
});

t.test('without a configured baseUrl the first absolute server is used, with variables substituted by their defaults', async (t) => {
  const doc = oas30(
    { '/a': { get: { operationId: 'a', responses: ok } } },
    { servers: [{ url: 'https://{tenant}.example.com/api/{version}', variables: { tenant: { default: 'acme', enum: ['acme', 'demo'] }, version: { default: 'v3' } } }, { url: 'https://second.example.com' }] },
  );
  t.equal(await baseUrlOf(doc, '/virtual/openapi.yaml'), 'https://acme.example.com/api/v3');
});

t.test('a relative servers URL is resolved against the URL the spec was loaded from', async (t) => {
  const doc = oas30({ '/a': { get: { operationId: 'a', responses: ok } } }, { servers: [{ url: '/api/{v}', variables: { v: { default: 'v2' } } }] });
  t.equal(await baseUrlOf(doc, 'http://127.0.0.1:8123/specs/openapi.yaml'), 'http://127.0.0.1:8123/api/v2');
  const sibling = oas30({ '/a': { get: { operationId: 'a', responses: ok } } }, { servers: [{ url: './v1' }] });
  t.equal(await baseUrlOf(sibling, 'https://docs.example.com/specs/openapi.yaml'), 'https://docs.example.com/specs/v1');
});

t.test('a spec loaded from a URL with no servers uses the origin it came from', async (t) => {
  t.equal(await baseUrlOf(oas30({ '/a': { get: { responses: ok } } }), 'https://api.example.com/openapi.json'), 'https://api.example.com/');
});

t.test('a spec file with no usable servers and no upstream.baseUrl is a clear error naming upstream.baseUrl', async (t) => {
  const docs = {
    'no servers': oas30({ '/a': { get: { responses: ok } } }),
    'empty servers': oas30({ '/a': { get: { responses: ok } } }, { servers: [] }),
    'relative server': oas30({ '/a': { get: { responses: ok } } }, { servers: [{ url: '/v1' }] }),
  };
  for (const [name, doc] of Object.entries(docs)) {
    const spec = await specOf(doc, '/srv/specs/openapi.yaml');
    const err = (() => {
      try {
        buildToolSet(spec, serverConfig({ name: 'billing', ...noBaseUrl }));
      } catch (e) {
        return e;
      }
    })();
    t.ok(isAppError(err, 'SPEC_INVALID'), name);
    t.match((err as Error).message, /server "billing".*upstream\.baseUrl/, name);
  }
});

t.test('operation-level servers win over path-level ones, which win over the document’s', async (t) => {
  const set = await toolsOf(
    oas30(
      {
        '/plain': { get: { operationId: 'plain', responses: ok } },
        '/uploads': {
          servers: [{ url: 'https://{region}.uploads.example.com', variables: { region: { default: 'eu' } } }],
          get: { operationId: 'pathLevel', responses: ok },
          post: { operationId: 'opLevel', servers: [{ url: 'https://fast.uploads.example.com/v2' }], responses: ok },
          put: { operationId: 'emptyOpServers', servers: [], responses: ok },
        },
        '/rel': { get: { operationId: 'relative', servers: [{ url: '/other' }], responses: ok } },
      },
      { servers: [{ url: 'https://api.example.com/v1' }] },
    ),
    noBaseUrl,
  );
  t.equal(set.baseUrl, 'https://api.example.com/v1');
  t.equal(tool(set, 'plain').binding.baseUrl, undefined, 'undefined: the server-wide base URL');
  t.equal(tool(set, 'pathLevel').binding.baseUrl, 'https://eu.uploads.example.com');
  t.equal(tool(set, 'opLevel').binding.baseUrl, 'https://fast.uploads.example.com/v2');
  t.equal(tool(set, 'emptyOpServers').binding.baseUrl, 'https://eu.uploads.example.com', 'an empty list falls back to the path level');
  t.equal(tool(set, 'relative').binding.baseUrl, 'https://api.example.com/other');
});

t.test('a Swagger 2.0 host, basePath and scheme become the base URL', async (t) => {
  const doc = { swagger: '2.0', info: { title: 'x', version: '1' }, host: 'api.example.com:8443', basePath: '/v1', schemes: ['https'], paths: { '/a': { get: { responses: ok } } } };
  t.equal(await baseUrlOf(doc, '/virtual/swagger.json'), 'https://api.example.com:8443/v1');
});

t.test('the tool set carries the spec’s title, version and description', async (t) => {
  const set = await toolsOf({ openapi: '3.0.3', info: { title: 'Pets', version: '2.1.0', description: 'All the pets.' }, paths: {} });
  t.same([set.title, set.version, set.description, set.tools.length, set.operationCount], ['Pets', '2.1.0', 'All the pets.', 0, 0]);
});

t.test('an operation whose own server is not an http(s) URL gets no tool and a warning; the rest are built', async (t) => {
  const doc = oas30(
    {
      '/upload': { put: { operationId: 'upload', servers: [{ url: 'https://', description: 'the presigned URL from the previous call' }], responses: ok } },
      '/ftp': { servers: [{ url: 'ftp://files.example.com' }], get: { operationId: 'ftpGet', responses: ok } },
      '/b': { get: { operationId: 'b', servers: [{ url: 'https://inference.example.com' }], responses: ok } },
      '/c': { get: { operationId: 'c', responses: ok } },
    },
    { servers: [{ url: 'https://api.example.com' }] },
  );
  const set = await toolsOf(doc);
  t.same(set.tools.map((x) => x.name), ['b', 'c']);
  t.equal(tool(set, 'b').binding.baseUrl, 'https://inference.example.com');
  t.equal(set.operationCount, 4);
  t.same(set.warnings, [
    'PUT /upload (upload): its servers[0].url "https://" is not an http(s) URL; no tool for it',
    'GET /ftp (ftpGet): its servers[0].url "ftp://files.example.com" is not an http(s) URL; no tool for it',
  ]);
});

t.test('a spec-level server of `https://` is no base URL', async (t) => {
  const doc = oas30({ '/a': { get: { operationId: 'a', responses: ok } } }, { servers: [{ url: 'https://' }] });
  const err = await baseUrlOf(doc, '/virtual/openapi.yaml').catch((e: unknown) => e);
  t.ok(isAppError(err) && err.code === 'SPEC_INVALID' && /no upstream base URL/.test(err.message), String(err));
});
