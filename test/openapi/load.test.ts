import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { isAppError } from '../../src/errors.js';
import { loadSpec } from '../../src/openapi/load.js';
import { buildToolSet } from '../../src/openapi/tools.js';
import { compileProblems, refProblems, refsIn, serverConfig, specsDir, tool } from '../helpers/specs.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

interface SpecServer {
  origin: string;
  host: string;
  /** Paths requested, in order. */
  seen: string[];
}

/**
 * Serves test/fixtures/specs/remote/<file> at /specs/v1/<file> on 127.0.0.1:0, with `{{NAME}}`
 * placeholders replaced from `vars` (read at request time). Anything else is a 404.
 */
async function startSpecServer(t: Teardown, vars: Record<string, string> = {}, handler?: (url: string) => string | undefined): Promise<SpecServer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    seen.push(url);
    const custom = handler?.(url);
    const m = /^\/specs\/v1\/([\w./-]+)$/.exec(url);
    const file = m && !m[1]!.includes('..') ? path.join(specsDir, 'remote', m[1]!) : undefined;
    if (custom === undefined && (!file || !existsSync(file))) {
      res.writeHead(404).end('not found');
      return;
    }
    const text = custom ?? readFileSync(file!, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? '');
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(text);
  });
  await listen(t, server);
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, seen };
}

async function listen(t: Teardown, server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function tempDir(t: Teardown, prefix = 'mcp-sidecar-spec-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const multifile = path.join(specsDir, 'multifile', 'openapi.yaml');

t.test('a multi-file tree of relative $refs is bundled into one document with internal refs only', async (t) => {
  const spec = await loadSpec(multifile, { refHosts: [] });
  t.equal(spec.version, '3.0');
  t.equal(spec.source, multifile);
  t.same(
    refsIn(spec.doc).filter((r) => !r.startsWith('#')),
    [],
    'no reference to another file survives',
  );
  const rel = spec.files.map((f) => path.relative(path.join(specsDir, 'multifile'), f)).sort();
  t.same(rel, ['openapi.yaml', 'parameters/limit.yaml', 'parameters/petId.yaml', 'paths/pet.yaml', 'paths/pets.yaml', 'schemas/common.yaml', 'schemas/people/owner.yaml', 'schemas/pet.yaml']);
});

t.test('tools from a multi-file tree carry parameters, bodies and schemas from the other files', async (t) => {
  const set = buildToolSet(await loadSpec(multifile, { refHosts: [] }), serverConfig({ upstream: { baseUrl: undefined } }));
  t.equal(set.baseUrl, 'https://pets.example.com/v1');
  t.same(set.tools.map((x) => x.name), ['listPets', 'createPet', 'getPet', 'deletePet']);
  t.same(tool(set, 'listPets').definition.inputSchema.properties, { limit: { type: 'integer', minimum: 1, maximum: 100, description: 'Page size.' } });
  t.same(tool(set, 'getPet').definition.inputSchema.properties, { petId: { type: 'string', pattern: '^[a-z0-9-]+$' } }, 'a path-level parameter from another file');
  const create = tool(set, 'createPet').definition;
  t.same(Object.keys(create.inputSchema.properties as object), ['name', 'tags', 'owner']);
  t.same(create.inputSchema.required, ['name']);
  t.match(create.inputSchema.properties, { tags: { type: 'array', items: { type: 'string', maxLength: 32 } }, owner: { type: 'object', properties: { pets: { type: 'array', items: { $ref: '#/$defs/Pet' } } } } });
  for (const x of set.tools) t.same([...refProblems(x.definition.inputSchema), ...refProblems(x.definition.outputSchema)], [], x.name);
  t.same(compileProblems(set.tools), []);
  t.ok(JSON.stringify(set.tools.map((x) => x.definition)).length < 20_000, 'the recursion across files stays finite');
});

t.test('a multi-file tree loads, and reports its files as real paths, from a folder whose name has a space, # and %', async (t) => {
  const dir = path.join(tempDir(t), 'my specs #1 %20');
  cpSync(path.join(specsDir, 'multifile'), dir, { recursive: true });
  const spec = await loadSpec(path.join(dir, 'openapi.yaml'), { refHosts: [] });
  t.equal(spec.files.length, 8);
  for (const f of spec.files) t.ok(existsSync(f), f);
});

t.test('a single-file spec lists only itself and JSON specs load too', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify({ openapi: '3.1.0', info: { title: 'j', version: '1' }, paths: { '/a': { get: { operationId: 'a', responses: {} } } } }));
  const spec = await loadSpec(file, { refHosts: [] });
  t.equal(spec.version, '3.1');
  t.same(spec.files, [file]);
});

t.test('unreadable, unparsable and non-OpenAPI files fail with typed errors', async (t) => {
  const dir = tempDir(t);
  const write = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const cases: [string, string, string][] = [
    ['a missing file', path.join(dir, 'nope.yaml'), 'SPEC_LOAD_FAILED'],
    ['broken YAML', write('broken.yaml', 'openapi: 3.0.0\npaths: [\n'), 'SPEC_INVALID'],
    ['broken JSON', write('broken.json', '{"openapi": '), 'SPEC_INVALID'],
    ['a top-level list', write('list.yaml', '- openapi: 3.0.0\n'), 'SPEC_INVALID'],
    ['no version field', write('plain.yaml', 'title: not a spec\n'), 'SPEC_INVALID'],
    ['a relative $ref to a missing file', write('dangling.yaml', 'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    $ref: ./missing.yaml\n'), 'SPEC_LOAD_FAILED'],
  ];
  for (const [name, file, code] of cases) {
    const err = await rejection(loadSpec(file, { refHosts: [] }));
    t.ok(isAppError(err), name);
    t.equal((err as { code?: string }).code, code, name);
  }
});

t.test('a spec served over HTTP may $ref files at its own origin, and relative servers resolve against its URL', async (t) => {
  const srv = await startSpecServer(t);
  const spec = await loadSpec(`${srv.origin}/specs/v1/openapi.yaml`, { refHosts: [] });
  t.same(spec.files, [], 'nothing local to watch');
  t.same(srv.seen, ['/specs/v1/openapi.yaml', '/specs/v1/schemas/pet.yaml']);
  const set = buildToolSet(spec, serverConfig({ upstream: { baseUrl: undefined } }));
  t.equal(set.baseUrl, `${srv.origin}/api/v1`);
  const out = tool(set, 'getPet').definition.outputSchema!;
  t.match(out.properties, { name: { type: 'string' }, kind: { $ref: String } });
  t.same(refProblems(out), []);
  t.same(compileProblems(set.tools), []);
});

t.test('a $ref to a host that is neither the spec’s origin nor in refHosts is refused with SPEC_REF_FORBIDDEN', async (t) => {
  const other = await startSpecServer(t, {}, () => 'type: object\nproperties:\n  fromOther: {type: string}\n');
  const srv = await startSpecServer(t, { OTHER_ORIGIN: other.origin });
  const err = await rejection(loadSpec(`${srv.origin}/specs/v1/cross-host.yaml`, { refHosts: ['example.com', '127.0.0.1'] }));
  t.ok(isAppError(err, 'SPEC_REF_FORBIDDEN'), String(err));
  t.match((err as Error).message, new RegExp(`host ${other.host.replace(/\./g, '\\.')} is not the spec's origin nor listed in refHosts`));
  t.same(other.seen, [], 'the other host was never contacted');
});

t.test('a $ref to another host listed in refHosts (host:port) is fetched', async (t) => {
  const other = await startSpecServer(t, {}, () => 'type: object\nproperties:\n  fromOther: {type: string}\n');
  const srv = await startSpecServer(t, { OTHER_ORIGIN: other.origin });
  const spec = await loadSpec(`${srv.origin}/specs/v1/cross-host.yaml`, { refHosts: [other.host.toUpperCase()] });
  t.same(other.seen, ['/shared/pet.yaml']);
  const set = buildToolSet(spec, serverConfig());
  t.same(tool(set, 'listPets').definition.outputSchema, { type: 'object', properties: { fromOther: { type: 'string' } } });
});

t.test('a local spec may $ref a URL only on a host listed in refHosts', async (t) => {
  const remote = await startSpecServer(t, {}, (url) => (url === '/shared/limit.yaml' ? 'name: limit\nin: query\nschema: {type: integer}\n' : undefined));
  const file = path.join(tempDir(t), 'openapi.yaml');
  writeFileSync(file, `openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: '${remote.origin}/shared/limit.yaml'\n      responses: {}\n`);
  const err = await rejection(loadSpec(file, { refHosts: [] }));
  t.ok(isAppError(err, 'SPEC_REF_FORBIDDEN'), String(err));
  t.same(remote.seen, []);
  const spec = await loadSpec(file, { refHosts: [remote.host] });
  t.same(buildToolSet(spec, serverConfig()).tools[0]!.definition.inputSchema.properties, { limit: { type: 'integer' } });
  t.same(spec.files, [file], 'only local files are watched');
});

t.test('a spec served over HTTP cannot $ref a local file by file: URL', async (t) => {
  const secret = path.join(tempDir(t), 'secret.yaml');
  writeFileSync(secret, 'type: string\ndescription: TOP-SECRET-MARKER\n');
  const srv = await startSpecServer(t, { LOCAL_FILE_URL: pathToFileURL(secret).href });
  const err = await rejection(loadSpec(`${srv.origin}/specs/v1/local-file-ref.yaml`, { refHosts: [] }));
  t.ok(isAppError(err, 'SPEC_REF_FORBIDDEN'), String(err));
  t.match((err as Error).message, /may not read local files/);
  t.notMatch(JSON.stringify(err, Object.getOwnPropertyNames(err)), /TOP-SECRET-MARKER/);
});

t.test('a relative $ref that climbs out of a remote spec’s folder is fetched from its origin, never read from disk', async (t) => {
  const srv = await startSpecServer(t);
  const err = await rejection(loadSpec(`${srv.origin}/specs/v1/dotdot-ref.yaml`, { refHosts: [] }));
  t.ok(isAppError(err, 'SPEC_LOAD_FAILED'), String(err));
  t.match((err as Error).message, /HTTP 404/);
  t.same(srv.seen, ['/specs/v1/dotdot-ref.yaml', '/secret.yaml']);
});

t.test('fetching a spec fails cleanly on HTTP errors, size limits and timeouts', async (t) => {
  const srv = await startSpecServer(t, {}, (url) => (url === '/big.yaml' ? `openapi: 3.0.3\ndescription: ${'x'.repeat(5000)}\n` : undefined));
  const notFound = await rejection(loadSpec(`${srv.origin}/missing.yaml`, { refHosts: [] }));
  t.ok(isAppError(notFound, 'SPEC_LOAD_FAILED'));
  t.match((notFound as Error).message, /HTTP 404/);
  const big = await rejection(loadSpec(`${srv.origin}/big.yaml`, { refHosts: [], maxBytes: 1000 }));
  t.ok(isAppError(big, 'SPEC_LOAD_FAILED'));
  t.match((big as Error).message, /larger than 1000 bytes/);

  const stall = createServer(() => {
    /* never answers */
  });
  await listen(t, stall);
  const started = Date.now();
  const slow = await rejection(loadSpec(`http://127.0.0.1:${(stall.address() as AddressInfo).port}/openapi.yaml`, { refHosts: [], timeoutMs: 200 }));
  t.ok(isAppError(slow, 'SPEC_LOAD_FAILED'));
  t.ok(Date.now() - started < 5000, 'gives up after the timeout');
});
