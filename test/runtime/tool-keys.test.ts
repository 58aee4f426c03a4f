import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/index.js';
import { isAppError, type AppError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/runtime/index.js';
import { PoolRegistry } from '../../src/upstream/index.js';
import { cli } from '../helpers/cli.js';

// Tool names in the config that name no tool. In auth.toolScopes they fail the build (the tool meant
// would be served without its scopes), with a "did you mean"; in tools.overrides and tool filters they
// are warnings that `validate` prints. Keys may be operationIds or tool names, and overrides rename.

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-toolkeys-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ok = { '200': { description: 'ok' } };
writeFileSync(
  path.join(dir, 'api.json'),
  JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    servers: [{ url: 'http://127.0.0.1:9/' }],
    paths: {
      '/pets': { get: { operationId: 'listPets', responses: ok }, post: { operationId: 'createPet', responses: ok } },
      // No operationId: the generated name is delete_pets_id.
      '/pets/{id}': { delete: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } },
    },
  }),
);
const FILE = path.join(dir, 'config.yaml');
const pools = new PoolRegistry();
t.teardown(() => pools.closeAll());

const yaml = (auth: string, tools = '') => `servers:
  - spec: ./api.json
${tools}    auth:
      provider: oidc
      issuer: https://issuer.example
${auth}`;

async function build(text: string) {
  writeFileSync(FILE, text);
  return buildSnapshot(parseConfig(text, FILE, {}), { pools, generation: 1, version: 'test' });
}

async function buildError(text: string): Promise<AppError> {
  try {
    (await build(text)).dispose();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('the build succeeded');
}

t.test('a toolScopes key with a typo fails the build, at its line, with the nearest tool name', async (t) => {
  const err = await buildError(yaml('      toolScopes:\n        createPets: [pets:write]\n'));
  t.equal(err.code, 'CONFIG_INVALID');
  t.equal(err.problems.length, 1);
  t.match(err.problems[0], { file: FILE, line: 7, column: 21, path: 'servers[0].auth.toolScopes.createPets', message: /names no tool .*\(did you mean "createPet"\?\).*without these scopes/ });
});

t.test('a toolScopes key far from every tool name fails without a suggestion', async (t) => {
  const err = await buildError(yaml('      toolScopes:\n        somethingElse: [x]\n'));
  t.match(err.problems[0]?.message, /names no tool/);
  t.notMatch(err.problems[0]?.message, /did you mean/);
});

t.test('toolScopes keyed by operationId or by published name are accepted and protect the tool', async (t) => {
  const s = await build(yaml('      toolScopes:\n        createPet: [pets:write]\n        delete_pets_id: [pets:admin]\n'));
  t.teardown(() => s.dispose());
  const auth = s.servers.get('/mcp')!.auth!;
  t.same(auth.scopesFor('createPet'), [['pets:write']]);
  t.same(auth.scopesFor('delete_pets_id'), [['pets:admin']]);
});

t.test('after a rename, the new name and the operationId work; the old generated name fails and says why', async (t) => {
  const tools = '    tools:\n      overrides:\n        delete_pets_id: { name: removePet }\n        createPet: { name: addPet }\n';
  const s = await build(yaml('      toolScopes:\n        removePet: [pets:admin]\n        createPet: [pets:write]\n', tools));
  t.teardown(() => s.dispose());
  const auth = s.servers.get('/mcp')!.auth!;
  t.same(auth.scopesFor('removePet'), [['pets:admin']], 'by the new name');
  t.same(auth.scopesFor('addPet'), [['pets:write']], 'by the operationId of a renamed tool');
  const err = await buildError(yaml('      toolScopes:\n        delete_pets_id: [pets:admin]\n', tools));
  t.match(err.problems[0]?.message, /tools\.overrides renamed it to "removePet"/);
});

t.test('validate fails on an unknown toolScopes key and warns on unknown override and filter names', async (t) => {
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, yaml('      toolScopes:\n        listPet: [pets:read]\n'));
  const warn = path.join(dir, 'warn.yaml');
  writeFileSync(
    warn,
    yaml('', '    tools:\n      include: { operations: [listPets, createPets, "nothing*"] }\n      exclude: { operations: [delete_pet_id] }\n      overrides:\n        listPet: { title: List }\n'),
  );
  const [b, w] = await Promise.all([cli(['validate', '-c', bad]), cli(['validate', '-c', warn])]);
  t.equal(b.code, 1, b.stdout + b.stderr);
  t.match(b.stdout, `${bad}:7:18: servers[0].auth.toolScopes.listPet: names no tool of server "default" (did you mean "listPets"?)`);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.match(w.stdout, 'warning: tools.overrides.listPet matches no operation (did you mean "listPets"?)');
  t.match(w.stdout, 'warning: tools.include.operations: "createPets" matches no operationId or tool name (did you mean "createPet"?)');
  t.match(w.stdout, 'warning: tools.include.operations: "nothing*" matches no operationId or tool name\n');
  t.match(w.stdout, 'warning: tools.exclude.operations: "delete_pet_id" matches no operationId or tool name (did you mean "delete_pets_id"?)');
  t.notMatch(w.stdout, /"listPets" matches no/, 'a pattern that matches is not reported');
});
