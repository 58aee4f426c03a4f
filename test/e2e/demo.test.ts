import t from 'tap';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../../src/demo/api.js';
import { AuditLog } from '../../src/auth/index.js';
import { silentLogger } from '../../src/log.js';
import { startSidecar } from '../../src/sidecar.js';
import { connectClient, firstText } from '../helpers/sidecar.js';

const demoConfig = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));

t.test('the built-in demo serves its Tasks API as MCP tools end to end', async (t) => {
  const api = await startDemoApi();
  t.teardown(() => new Promise((r) => api.server.close(r)));
  const sidecar = await startSidecar({ configFile: demoConfig, port: 0, log: silentLogger, audit: new AuditLog({ enabled: false, file: undefined }), env: { ...process.env, DEMO_API_URL: api.url } });
  t.teardown(() => sidecar.close(1000));
  const client = await connectClient(t, `${sidecar.url}/mcp`);

  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name).sort(), ['createTask', 'deleteTask', 'getStats', 'getTask', 'getTaskSummary', 'listTasks', 'updateTask']);
  const get = tools.find((x) => x.name === 'getTask')!;
  t.same(get.annotations, { readOnlyHint: true });
  t.same(get.inputSchema.required, ['taskId']);

  const created = await client.callTool({ name: 'createTask', arguments: { title: 'Buy milk', tags: ['shop'] } });
  t.notOk(created.isError);
  const task = created.structuredContent as { id: string; title: string; status: string };
  t.equal(task.title, 'Buy milk');
  t.equal(task.status, 'open');

  const done = await client.callTool({ name: 'updateTask', arguments: { taskId: task.id, status: 'done' } });
  t.equal((done.structuredContent as { status: string }).status, 'done');

  const summary = await client.callTool({ name: 'getTaskSummary', arguments: { taskId: task.id } });
  t.equal(firstText(summary), '[x] Buy milk (shop)');

  const listed = await client.callTool({ name: 'listTasks', arguments: { tag: ['shop'] } });
  t.equal((listed.structuredContent as { total: number }).total, 1);

  const deleted = await client.callTool({ name: 'deleteTask', arguments: { taskId: task.id } });
  t.notOk(deleted.isError);
  const gone = await client.callTool({ name: 'getTask', arguments: { taskId: task.id } });
  t.equal(gone.isError, true);
  t.match(firstText(gone), /HTTP 404/);
});
