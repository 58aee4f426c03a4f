import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

// The Dockerfile's promises, checked without a container engine (test/container/run.sh builds and runs it).
const root = fileURLToPath(new URL('../../', import.meta.url));
// Instructions only: comments dropped, continuation lines joined.
const lines = readFileSync(path.join(root, 'Dockerfile'), 'utf8')
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'));
const dockerfile = lines.join('\n');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1)!;
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

t.test('the base image is an ARG defaulting to the Node LTS slim image, used by every stage', async (t) => {
  t.match(lines[0], /^ARG NODE_IMAGE=node:22-bookworm-slim$/);
  t.equal(stages.length, 2, 'build stage + runtime stage');
  for (const s of stages) t.match(s, /^\$\{NODE_IMAGE\}/);
});

t.test('the runtime stage installs production dependencies only, without running prepare (tsc)', async (t) => {
  t.match(runtime, /RUN npm ci --omit=dev --ignore-scripts/);
  t.notMatch(runtime, /npm run build|tsc/);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.ok(pkg.scripts.prepare, 'package.json still has a prepare script, so --ignore-scripts matters');
});

t.test('the runtime stage carries what dist/ reads at run time', async (t) => {
  // dist/version.js reads ../package.json, dist/config/validate.js ../../schemas/, demo ../../config/.
  for (const what of ['dist', 'schemas', 'config', 'package.json']) t.match(runtime, new RegExp(`COPY .*\\b${what.replace('.', '\\.')}\\b`), what);
});

t.test('it runs as the non-root node user, as node on PID 1, with the documented config path and port', async (t) => {
  t.match(runtime, /^USER (node|1000)(:1000)?$/m);
  t.match(runtime, /MCP_SIDECAR_CONFIG=\/config\/config\.yaml/);
  t.match(runtime, /^EXPOSE 8080$/m);
  t.match(runtime, /^ENTRYPOINT \["node", "\/app\/dist\/main\.js"\]$/m, 'exec form: node gets SIGTERM itself');
  t.match(runtime, /^CMD \["serve"\]$/m);
});

t.test('the HEALTHCHECK runs node (no curl in slim images) with a script that compiles', async (t) => {
  const m = runtime.match(/^HEALTHCHECK .*CMD (\[.*\])$/m);
  t.ok(m, 'has a HEALTHCHECK in exec form');
  const cmd = JSON.parse(m![1]!) as string[];
  t.same(cmd.slice(0, 2), ['node', '-e']);
  t.doesNotThrow(() => new vm.Script(cmd[2]!), 'the -e script is valid JavaScript');
  t.match(cmd[2], /\/healthz/);
});

t.test('.dockerignore keeps dependencies, build output, history and tests out of the context', async (t) => {
  for (const name of ['node_modules', 'dist', '.git', 'test', 'bench', 'scratch']) t.ok(ignored.includes(name), name);
  // …but not what the Dockerfile copies.
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of m[1]!.split(/\s+/)) {
      t.notOk(ignored.includes(src), `${src} is in the build context`);
      t.ok(existsSync(path.join(root, src)), `${src} exists`);
    }
  }
});
