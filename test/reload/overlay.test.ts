import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { runValidate } from '../../src/cli/commands.js';
import { isAppError, type AppError } from '../../src/errors.js';
import { parseCli } from '../../src/cli/args.js';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// servers[].overlays: applied on every (re)load and watched like the spec, so editing an overlay file
// changes the tools a running sidecar serves; a broken overlay keeps the last good tools serving.

const op = (operationId: string, description: string) => ({ get: { operationId, description, responses: { '200': { description: 'ok' } } } });
const overlay = (actions: object[]) => stringify({ overlay: '1.1.0', info: { title: 'agent view', version: '1' }, actions });
const describe = (text: string) => overlay([{ target: "$.paths['/one'].get", update: { description: text } }]);

t.test('editing an overlay file hot-reloads the tools it changes', async (t) => {
  const up = await startUpstream();
  t.teardown(() => up.close());
  const sidecar = await startTestSidecar(t, {
    config: { reload: { debounce: '20ms' }, servers: [{ path: '/mcp', spec: './api.yaml', overlays: ['./agent.overlay.yaml'], upstream: { baseUrl: up.url } }] },
    files: { 'api.yaml': spec30({ '/one': op('one', 'As written'), '/two': op('two', 'Second') }), 'agent.overlay.yaml': describe('Made for agents, v1') },
  });
  t.ok(sidecar.holder.current.files.includes(path.join(sidecar.dir, 'agent.overlay.yaml')), 'the overlay is one of the watched files');
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const description = async (name: string) => (await client.listTools()).tools.find((x) => x.name === name)?.description;
  t.equal(await description('one'), 'Made for agents, v1', 'the overlay applied at start');

  const file = path.join(sidecar.dir, 'agent.overlay.yaml');
  writeFileSync(file, describe('Made for agents, v2'));
  await until('the edited overlay to apply', async () => ((await description('one')) === 'Made for agents, v2' ? true : undefined));
  t.pass('an edit to the overlay alone reloaded the tools');

  writeFileSync(file, overlay([{ target: "$.paths['/two']", remove: true }]));
  await until('the removal to apply', async () => ((await client.listTools()).tools.length === 1 ? true : undefined));
  t.equal(await description('one'), 'As written', 'each reload applies the overlay to the spec afresh');

  const generation = sidecar.holder.current.generation;
  writeFileSync(file, overlay([{ target: '$.paths[', update: {} }]));
  const err = (await sidecar.reload().then(() => undefined, (e: unknown) => e)) as AppError;
  t.ok(isAppError(err, 'CONFIG_INVALID'), 'a broken overlay fails the reload');
  t.match(err.problems[0]?.message, /^agent\.overlay\.yaml:6: actions\[0\]: target \$\.paths\[: not a valid RFC 9535 JSONPath/, 'naming the file and line');
  t.equal(sidecar.holder.current.generation, generation, 'and the last good tools keep serving');
  t.same((await client.listTools()).tools.map((x) => x.name), ['one']);
});

t.test('validate lists the overlays applied and warns, with file and line, about a target that matches nothing', async (t) => {
  const up = await startUpstream();
  t.teardown(() => up.close());
  const sidecar = await startTestSidecar(t, {
    config: { reload: { watch: false }, servers: [{ path: '/mcp', spec: './api.yaml', overlays: ['./agent.overlay.yaml'], upstream: { baseUrl: up.url } }] },
    files: { 'api.yaml': spec30({ '/one': op('one', 'x') }), 'agent.overlay.yaml': overlay([{ target: "$.paths['/one'].get", update: { summary: 's' } }, { target: "$.paths['/won'].get", update: { summary: 's' } }]) },
  });
  const lines: string[] = [];
  const code = await runValidate(parseCli(['validate', '-c', sidecar.configFile]), {}, (l) => lines.push(l));
  t.equal(code, 0, lines.join('\n'));
  t.equal(lines[0], 'default (/mcp): 1 tools from 1 operations in api.yaml + agent.overlay.yaml');
  t.ok(lines.includes("  warning: agent.overlay.yaml:9: actions[1]: target $.paths['/won'].get matches nothing"), lines.join('\n'));
});
