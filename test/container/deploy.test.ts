import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { isAppError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/runtime/index.js';
import { PoolRegistry } from '../../src/upstream/index.js';

// The Kubernetes manifests and compose.yaml are data: parsed here, cross-checked against each other,
// and the ConfigMap's config.yaml is validated and built by the real config loader.
type Obj = Record<string, any>;

const root = fileURLToPath(new URL('../../', import.meta.url));
const k8sDir = path.join(root, 'deploy/kubernetes');
const deployFiles = readdirSync(path.join(root, 'deploy'), { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
  .map((d) => path.join(d.parentPath, d.name))
  .sort();

const manifests: { file: string; doc: Obj }[] = [];
for (const file of deployFiles) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as Obj | null;
    if (value) manifests.push({ file: path.relative(root, file), doc: value });
  }
}
const ofKind = (kind: string): Obj[] => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const one = (kind: string): Obj => {
  const all = ofKind(kind);
  if (all.length !== 1) throw new Error(`expected one ${kind}, found ${all.length}`);
  return all[0]!;
};

const configMap = one('ConfigMap');
const secret = one('Secret');
const deployment = one('Deployment');
const pod = deployment.spec.template.spec as Obj;
const sidecar = (pod.containers as Obj[]).find((c) => c.name === 'mcp-sidecar')!;
const api = (pod.containers as Obj[]).find((c) => c.name !== 'mcp-sidecar')!;

/** The sidecar container's environment with secretKeyRefs resolved against the Secret in deploy/. */
function sidecarEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const e of sidecar.env as Obj[]) {
    const ref = e.valueFrom?.secretKeyRef as Obj | undefined;
    if (ref) {
      if (ref.name !== secret.metadata.name) throw new Error(`${e.name} refers to Secret ${ref.name}, not ${secret.metadata.name}`);
      env[e.name] = secret.stringData[ref.key];
    } else env[e.name] = e.value;
  }
  return env;
}

t.test('every YAML file under deploy/ parses into Kubernetes objects with a kind and a name', async (t) => {
  t.ok(deployFiles.length >= 6, `${deployFiles.length} files`);
  for (const { file, doc } of manifests) {
    if (doc.kind === 'Kustomization') continue;
    t.match(doc, { apiVersion: String, kind: String, metadata: { name: String } }, file);
  }
  t.same([...new Set(manifests.map((m) => m.doc.kind))].sort(), ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Kustomization', 'PodDisruptionBudget', 'Secret', 'Service']);
});

t.test('kustomization.yaml lists every manifest in its folder, and only those', async (t) => {
  const kustomization = parse(readFileSync(path.join(k8sDir, 'kustomization.yaml'), 'utf8')) as Obj;
  const others = readdirSync(k8sDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  t.same([...(kustomization.resources as string[])].sort(), others);
  t.same(
    (kustomization.images as Obj[]).map((i) => i.name),
    [sidecar.image.split(':')[0]],
    'the images override names the sidecar image',
  );
});

t.test("the ConfigMap's config.yaml validates, with the WorkOS settings taken from the Secret", async (t) => {
  const text = configMap.data['config.yaml'] as string;
  const config = parseConfig(text, '/config/config.yaml', sidecarEnv());
  t.same(config.listen, { host: '0.0.0.0', port: 8080 }, 'listens on all interfaces, on the port the image exposes');
  const server = config.servers[0]!;
  t.equal(server.sessions, 'stateless', 'stateless: replicas need no session affinity');
  t.same(server.spec, { kind: 'file', path: '/config/openapi.yaml' }, 'the spec is in the same mounted folder');
  t.equal(server.auth?.provider, 'workos');
  t.equal(server.auth?.issuer, secret.stringData.WORKOS_AUTHKIT_DOMAIN);
  t.equal(server.auth?.clientId, secret.stringData.WORKOS_CLIENT_ID);
  t.ok(config.publicUrl, 'publicUrl is set (the OAuth resource is publicUrl + path)');
  const upstreamPort = new URL(server.upstream.baseUrl!).port;
  t.ok((api.ports as Obj[]).some((p) => String(p.containerPort) === upstreamPort), `the API container listens on ${upstreamPort}`);
});

t.test('without the Secret the config names exactly the missing WorkOS variables', async (t) => {
  const text = configMap.data['config.yaml'] as string;
  try {
    parseConfig(text, '/config/config.yaml', {});
    t.fail('should not load');
  } catch (err) {
    t.ok(isAppError(err, 'CONFIG_INVALID'));
    const missing = (isAppError(err) ? err.problems : []).map((p) => p.message.match(/\$\{(\w+)\}/)?.[1]).sort();
    t.same(missing, ['WORKOS_AUTHKIT_DOMAIN', 'WORKOS_CLIENT_ID']);
  }
});

t.test("the ConfigMap's files, written out as the kubelet mounts them, build into tools", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-k8s-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(path.join(dir, name), text);
  const config = parseConfig(readFileSync(path.join(dir, 'config.yaml'), 'utf8'), path.join(dir, 'config.yaml'), sidecarEnv());
  const pools = new PoolRegistry();
  t.teardown(() => pools.closeAll());
  const snapshot = await buildSnapshot(config, { pools, generation: 1, version: '0.0.0' });
  t.teardown(() => snapshot.dispose());
  t.same([...snapshot.servers.get('/mcp')!.tools.keys()].sort(), ['echoMessage', 'newUuid', 'returnStatus', 'whoAmI']);
});

t.test('the Deployment runs the API and the sidecar with the config folder mounted whole', async (t) => {
  t.equal((pod.containers as Obj[]).length, 2);
  const mount = (sidecar.volumeMounts as Obj[]).find((m) => m.mountPath === '/config')!;
  t.ok(mount, 'mounted at /config');
  t.notOk(mount.subPath, 'no subPath: a subPath mount never sees ConfigMap updates');
  t.equal(mount.readOnly, true);
  const volume = (pod.volumes as Obj[]).find((v) => v.name === mount.name)!;
  t.equal(volume.configMap.name, configMap.metadata.name);
  t.same(sidecar.args, ['serve'], 'config from $MCP_SIDECAR_CONFIG, /config/config.yaml in the image');
});

t.test('the sidecar has liveness on /healthz and readiness on /readyz, on the port it listens on', async (t) => {
  const http = (sidecar.ports as Obj[]).find((p) => p.name === 'http')!;
  t.equal(http.containerPort, 8080);
  t.match(sidecar.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } });
  t.match(sidecar.readinessProbe, { httpGet: { path: '/readyz', port: 'http' } });
});

t.test('every container has resource requests and limits and a locked-down securityContext', async (t) => {
  t.equal(pod.securityContext.runAsNonRoot, true);
  for (const c of pod.containers as Obj[]) {
    t.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${c.name}: requests`);
    t.ok(c.resources?.limits?.memory, `${c.name}: memory limit`);
    t.match(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, c.name);
    // runAsNonRoot can only be verified for a numeric user.
    t.type(c.securityContext.runAsUser ?? pod.securityContext.runAsUser, 'number', `${c.name}: numeric runAsUser`);
  }
  t.equal(sidecar.securityContext.runAsUser, 1000, "the image's node user");
});

t.test('the termination grace covers the preStop pause plus the drain time', async (t) => {
  const config = parseConfig(configMap.data['config.yaml'] as string, '/config/config.yaml', sidecarEnv());
  const pause = 5_000; // the sidecar's preStop: setTimeout(…, 5000)
  t.match(JSON.stringify(sidecar.lifecycle.preStop), /5000/);
  t.ok(pod.terminationGracePeriodSeconds * 1000 > pause + config.limits.shutdownGraceMs, `${pod.terminationGracePeriodSeconds}s`);
});

t.test('the Service selects the pods and targets the sidecar, with no session affinity (stateless)', async (t) => {
  const service = one('Service');
  const labels = deployment.spec.template.metadata.labels as Record<string, string>;
  for (const [k, v] of Object.entries(service.spec.selector as Record<string, string>)) t.equal(labels[k], v, `selector ${k}`);
  t.same(deployment.spec.selector.matchLabels, service.spec.selector);
  t.ok((sidecar.ports as Obj[]).some((p) => p.name === service.spec.ports[0].targetPort), 'targetPort is the sidecar port');
  t.not(service.spec.sessionAffinity, 'ClientIP');
});

t.test('the HorizontalPodAutoscaler scales this Deployment with at least two replicas', async (t) => {
  const hpa = one('HorizontalPodAutoscaler');
  t.match(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  t.ok(hpa.spec.minReplicas >= 2);
  t.ok(hpa.spec.maxReplicas > hpa.spec.minReplicas);
  t.ok((hpa.spec.metrics as Obj[]).length > 0);
  t.ok(one('PodDisruptionBudget').spec.minAvailable >= 1);
});

t.test('compose.yaml runs the sidecar from the example config, its folder mounted read-only', async (t) => {
  const compose = parse(readFileSync(path.join(root, 'compose.yaml'), 'utf8')) as Obj;
  const svc = compose.services['mcp-sidecar'] as Obj;
  t.ok(compose.services.api, 'an API service');
  t.same(svc.volumes, ['./config:/config:ro']);
  const file = path.join(root, 'config', path.basename(svc.environment.MCP_SIDECAR_CONFIG as string));
  const config = parseConfig(readFileSync(file, 'utf8'), file, svc.environment as NodeJS.ProcessEnv);
  t.equal(config.listen.host, '0.0.0.0');
  t.equal(config.servers[0]!.upstream.baseUrl, 'http://api:3000');
  t.match(svc.ports[0], /:8080:8080$/);
});
