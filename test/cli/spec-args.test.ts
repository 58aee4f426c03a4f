import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseCli } from '../../src/cli/args.js';
import { resolveSpecArgs } from '../../src/cli/spec-args.js';
import { spec30 } from '../helpers/sidecar.js';

// `serve` without a config in HAPI's forms: which argument is the spec, the name, and the overlays.

t.test('-f is repeatable; `serve NAME -f FILE` picks the spec among the files, else HAPI_HOME/specs/NAME', async (t) => {
  t.same(parseCli(['serve', 'demo', '-f', 'a.yaml', '--file', 'b.yaml', '--headless']).files, ['a.yaml', 'b.yaml']);
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-specargs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const spec = path.join(dir, 'api.yaml');
  const sec = path.join(dir, 'security.yaml');
  writeFileSync(spec, stringify(spec30({ '/a': {} })));
  writeFileSync(sec, stringify({ kind: 'Security', spec: {} }));
  t.same(resolveSpecArgs('demo', undefined, [sec, spec], {}), { spec, name: 'demo', overlays: [sec] });
  t.same(resolveSpecArgs(spec, undefined, [sec], {}), { spec, name: undefined, overlays: [sec] });
  t.same(resolveSpecArgs('https://x.example/demo.yaml', undefined, [sec], {}), { spec: 'https://x.example/demo.yaml', name: undefined, overlays: [sec] });
  t.same(resolveSpecArgs('demo', spec, [sec], {}), { spec, name: 'demo', overlays: [sec] }, '--openapi names the spec');
  mkdirSync(path.join(dir, 'specs'));
  const project = path.join(dir, 'specs', 'demo.yaml');
  writeFileSync(project, stringify(spec30({})));
  t.same(resolveSpecArgs('demo', undefined, [sec], { HAPI_HOME: dir }), { spec: project, name: 'demo', overlays: [sec] });
  t.throws(() => resolveSpecArgs('nothing', undefined, [sec], { HAPI_HOME: dir }), /"nothing" is not a spec file or URL, none of the -f files is an OpenAPI document with paths/);
});
