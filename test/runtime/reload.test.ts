// The reload controller on real files and real builds, with a manual clock for the debounce.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, type LoadedConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { fingerprintFiles } from '../../src/runtime/fingerprint.js';
import { buildSnapshot, SnapshotHolder, type Snapshot } from '../../src/runtime/index.js';
import { createReloadController } from '../../src/runtime/reload.js';
import { PoolRegistry } from '../../src/upstream/pools.js';
import { ManualClock, settle } from '../helpers/clock.js';
import { spec30 } from '../helpers/sidecar.js';

const op = (id: string) => ({ [`/${id}`]: { get: { operationId: id, responses: { '200': { description: 'ok' } } } } });
const configOf = (server: object = {}, top: object = {}) =>
  stringify({ reload: { watch: false, debounce: '100ms' }, servers: [{ path: '/mcp', spec: './spec.json', upstream: { baseUrl: 'http://127.0.0.1:9' }, ...server }], ...top });

async function setup(t: Test) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'config.yaml');
  const specFile = path.join(dir, 'spec.json');
  writeFileSync(configFile, configOf());
  writeFileSync(specFile, JSON.stringify(spec30(op('one'))));
  const pools = new PoolRegistry();
  t.teardown(() => pools.closeAll());
  let builds = 0;
  const build = (loaded: LoadedConfig, generation: number) => {
    builds++;
    return buildSnapshot(loaded.config, { pools, generation, version: '1', configHash: loaded.hash });
  };
  const load = () => loadConfig(configFile, {});
  const first = await load();
  const holder = new SnapshotHolder(await build(first, 1));
  const clock = new ManualClock();
  const notified: string[] = [];
  const counted: string[] = [];
  const controller = createReloadController({
    holder,
    started: first.config,
    load,
    build,
    log: silentLogger,
    watch: false,
    swapped: () => {},
    notifyToolsChanged: async (p) => void notified.push(p),
    counted: (r) => counted.push(r),
    clock,
  });
  t.teardown(() => controller.close());
  /** Triggers a reload, lets the debounce pass on the manual clock and waits for it to settle. */
  const fileChanged = async () => {
    controller.trigger('file changed');
    clock.tick(100);
    await controller.idle();
  };
  return { configFile, specFile, holder, controller, notified, counted, builds: () => builds, fileChanged, clock };
}

const tools = (s: Snapshot) => [...s.servers.get('/mcp')!.tools.keys()].sort();

t.test('a triggered reload waits for the debounce, then builds, swaps and tells the server whose tools changed', async (t) => {
  const s = await setup(t);
  writeFileSync(s.specFile, JSON.stringify(spec30({ ...op('one'), ...op('two') })));
  s.controller.trigger('file changed');
  s.clock.tick(99);
  await settle();
  t.equal(s.builds(), 1, 'nothing before the debounce has passed');
  s.clock.tick(1);
  await s.controller.idle();
  t.equal(s.builds(), 2);
  t.equal(s.holder.current.generation, 2);
  t.same(tools(s.holder.current), ['one', 'two']);
  t.same(s.notified, ['/mcp']);
  t.same(s.counted, ['success']);
  t.match(s.controller.last(), { reason: 'file changed', result: 'success' });
});

t.test('with no file changed a trigger builds nothing; SIGHUP rebuilds anyway and notifies no one', async (t) => {
  const s = await setup(t);
  await s.fileChanged();
  t.equal(s.builds(), 1, 'no build');
  t.same(s.counted, ['unchanged']);
  s.controller.trigger('SIGHUP');
  s.clock.tick(100);
  await s.controller.idle();
  t.equal(s.builds(), 2, 'forced');
  t.same(s.counted, ['unchanged', 'success']);
  t.same(s.notified, [], 'the same tools: no list_changed');
});

t.test('a start-up-only change is refused before anything is built, and the old snapshot keeps serving', async (t) => {
  const s = await setup(t);
  const before = s.holder.current;
  writeFileSync(s.configFile, configOf({}, { listen: { port: 18_183 } }));
  await s.fileChanged();
  t.equal(s.builds(), 1, 'no build');
  t.equal(s.holder.current, before);
  t.match(s.controller.last(), { result: 'failure', error: /listen changed .*18183.*restart the sidecar to apply it$/ });
  t.same(s.counted, ['failure']);
});

t.test('a failed build keeps the old snapshot and does not use up a generation', async (t) => {
  const s = await setup(t);
  writeFileSync(s.configFile, configOf({ spec: './gone.json' }));
  await s.fileChanged();
  t.match(s.controller.last(), { result: 'failure', problems: [{ path: 'servers[0].spec', message: /gone\.json/ }] });
  t.equal(s.holder.current.generation, 1);
  writeFileSync(s.configFile, configOf());
  writeFileSync(s.specFile, JSON.stringify(spec30(op('three'))));
  await s.fileChanged();
  t.equal(s.holder.current.generation, 2, 'the next good build is generation 2');
});

t.test('the fingerprint is of the bytes the build read, even when first read after an edit', async (t) => {
  const s = await setup(t);
  const snapshot = s.holder.current;
  const asBuilt = await fingerprintFiles(snapshot.files);
  writeFileSync(s.specFile, JSON.stringify(spec30(op('edited'))));
  // Nothing has read the first snapshot's fingerprint yet: it is combined now, after the edit.
  t.equal(await snapshot.fingerprint, asBuilt, 'the hashes taken as the build read each file');
  t.not(await fingerprintFiles(snapshot.files), asBuilt, 'so the edit is seen as a change');
  t.throws(() => Object.assign(snapshot, { fingerprint: Promise.resolve(asBuilt) }), TypeError, 'and no one can overwrite it');
  await s.fileChanged();
  t.same(tools(s.holder.current), ['edited']);
});

t.test('a config given in memory has no fingerprint: every reload rebuilds', async (t) => {
  const s = await setup(t);
  const loaded = await loadConfig(s.configFile, {});
  const pools = new PoolRegistry();
  t.teardown(() => pools.closeAll());
  const snapshot = await buildSnapshot(loaded.config, { pools, generation: 1, version: '1' });
  t.equal(await snapshot.fingerprint, undefined);
});
