import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';
import { AuditLog } from '../../src/auth/index.js';
import { silentLogger } from '../../src/log.js';
import { startSidecar, type Sidecar } from '../../src/sidecar.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// Hot reload through the file WATCHER (reload() is never called here) while 8 clients keep calling
// tools: every answer is checked, and not one may fail while configs and specs change under them.

const LOOPS = 8;
const SDK_LOOPS = 2; // of the 8, these use the real MCP SDK client; the others raw POSTs
const MAX_CALLS_PER_LOOP = 20_000;
const MAX_LOAD_MS = 20_000;

const op = (operationId: string) => ({
  [`/${operationId}`]: {
    get: { operationId, responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } },
  },
});
const specOf = (...ids: string[]) => spec30(Object.assign({}, ...ids.map(op)));

/** Echoes who answered and the path, after 0–4 ms, so calls are in flight when a snapshot is swapped. */
async function upstreamNamed(t: Test, who: string): Promise<TestUpstream> {
  const up = await startUpstream(async (req, res) => {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ from: who, url: req.url }));
  });
  t.teardown(() => up.close());
  return up;
}

const configFor = (baseUrl: string, server: object = {}, debounce = '50ms') => ({
  reload: { watch: true, debounce },
  servers: [{ path: '/mcp', spec: './spec.yaml', upstream: { baseUrl }, ...server }],
});

interface Ready {
  generation: number;
  servers: { tools: number }[];
  lastReload?: { at: string; reason: string; result: string; error?: string; problems?: { path?: string; message: string }[] };
}
const readyz = async (url: string): Promise<Ready> => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })).json() as Promise<Ready>;

/** Waits for a reload newer than `since` (a lastReload.at) to settle, and returns it. */
const nextReload = (url: string, since: string | undefined, result?: string) =>
  until(`a reload after ${since ?? 'start-up'}${result ? ` with result ${result}` : ''}`, async () => {
    const last = (await readyz(url)).lastReload;
    return last && last.at !== since && (!result || last.result === result) ? last : undefined;
  });

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function post(url: string, method: string, params?: object): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/**
 * 8 loops, each alternating `tools/call one` and `tools/list` until stopped (or MAX_CALLS_PER_LOOP,
 * MAX_LOAD_MS). A call must answer 200, not isError, from an expected upstream with url /one. A list
 * must be one of `stages` (sorted tool names), and per loop the stage may only move forward: one loop's
 * requests are sequential, so once it has seen the new config it must never see the old one again.
 */
class Load {
  failures: string[] = [];
  ok = 0;
  /** Completion times of successful answers, to prove the load overlapped a reload. */
  readonly times: number[] = [];
  readonly stageOf: number[] = Array.from({ length: LOOPS }, () => 0);
  /** Every stage any loop has seen. */
  readonly seen = new Set<number>();
  private stopped = false;
  private readonly done: Promise<void>;

  private readonly stages: string[][];

  constructor(
    private readonly url: string,
    stages: string[][],
    private readonly upstreams: string[],
  ) {
    this.stages = stages.map((s) => [...s].sort());
    const started = Date.now();
    this.done = Promise.all(Array.from({ length: LOOPS }, (_, i) => this.loop(i, started))).then(() => undefined);
  }

  private fail(i: number, what: string): void {
    if (this.failures.length < 20) this.failures.push(`loop ${i}: ${what}`);
    else this.failures.length++;
  }

  private checkList(i: number, names: string[]): void {
    const key = names.sort().join(',');
    const at = this.stages.findIndex((s) => s.join(',') === key);
    if (at === -1) return this.fail(i, `tools/list gave [${key}], not one of the expected stages`);
    if (at < this.stageOf[i]!) return this.fail(i, `tools/list went back from stage ${this.stageOf[i]} to ${at} ([${key}])`);
    this.stageOf[i] = at;
    this.seen.add(at);
  }

  private checkCall(i: number, status: number, result: any): boolean {
    if (status !== 200) return this.fail(i, `tools/call answered HTTP ${status}: ${JSON.stringify(result)}`), false;
    if (!result || result.isError) return this.fail(i, `tools/call failed: ${JSON.stringify(result)}`), false;
    const sc = result.structuredContent as { from?: string; url?: string } | undefined;
    if (sc?.url !== '/one' || !this.upstreams.includes(sc.from ?? '')) return this.fail(i, `tools/call gave ${JSON.stringify(sc)}`), false;
    return true;
  }

  private async loop(i: number, started: number): Promise<void> {
    const sdk = i < SDK_LOOPS ? new Client({ name: `load-${i}`, version: '1.0.0' }) : undefined;
    try {
      if (sdk) await sdk.connect(new StreamableHTTPClientTransport(new URL(this.url)));
      for (let n = 0; !this.stopped && n < MAX_CALLS_PER_LOOP && Date.now() - started < MAX_LOAD_MS; n++) {
        try {
          if (n % 2 === 0) {
            const { status, result } = sdk
              ? { status: 200, result: await sdk.callTool({ name: 'one', arguments: {} }) }
              : await post(this.url, 'tools/call', { name: 'one', arguments: {} }).then((r) => ({ status: r.status, result: r.body?.result ?? r.body }));
            if (!this.checkCall(i, status, result)) continue;
          } else if (sdk) {
            this.checkList(i, (await sdk.listTools()).tools.map((x) => x.name));
          } else {
            const r = await post(this.url, 'tools/list');
            if (r.status !== 200 || !Array.isArray(r.body?.result?.tools)) {
              this.fail(i, `tools/list answered HTTP ${r.status}: ${JSON.stringify(r.body)}`);
              continue;
            }
            this.checkList(i, (r.body.result.tools as { name: string }[]).map((x) => x.name));
          }
          this.ok++;
          this.times.push(Date.now());
        } catch (err) {
          this.fail(i, `threw ${(err as Error).message}`);
        }
      }
    } catch (err) {
      this.fail(i, `could not connect: ${(err as Error).message}`);
    } finally {
      await sdk?.close().catch(() => undefined);
    }
  }

  /** Waits until every loop has answered a few times, so the edit lands on a running load. */
  async warm(): Promise<void> {
    await until('the load to warm up', () => (this.ok >= LOOPS * 10 ? true : undefined));
  }

  /** Waits until every loop's tools/list shows `stage`; fails at once if any answer failed. */
  reached(stage: number, ms?: number): Promise<true> {
    return until(`every loop to see stage ${stage} [${this.stages[stage]}]`, () => {
      if (this.failures.length) throw new Error(`calls failed:\n${this.failures.join('\n')}`);
      return this.stageOf.every((s) => s >= stage) ? true : undefined;
    }, ms);
  }

  answeredBetween(from: number, to: number): number {
    return this.times.filter((x) => x >= from && x <= to).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** Starts the load and stops it in teardown (a failed assertion must not leave loops running). */
function startLoad(t: Test, url: string, stages: string[][], upstreams: string[]): Load {
  const load = new Load(url, stages, upstreams);
  t.teardown(() => load.stop());
  return load;
}

/** Stops the load once every loop could have answered a few more times, then asserts that not one answer failed. */
async function finish(t: Test, load: Load): Promise<void> {
  const before = load.ok;
  await until(`${LOOPS * 5} more answers after the last change`, () => (load.failures.length > 0 || load.ok >= before + LOOPS * 5 ? true : undefined));
  await load.stop();
  t.ok(load.ok > before, `calls kept being answered after the last change (${load.ok - before})`);
  t.same(load.failures, [], `zero failed calls out of ${load.ok}`);
}

t.test('a valid edit to tools.exclude switches the tool list with zero failed calls during and after', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two', 'three') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'three', 'two'], ['one', 'three']], ['a']);
  await load.warm();

  const edited = Date.now();
  s.writeConfig(configFor(up.url, { tools: { exclude: { operations: ['two'] } } }));
  await load.reached(1);
  const switched = Date.now();
  t.ok(load.answeredBetween(edited, switched) > 0, `calls were answered while the reload ran (${load.answeredBetween(edited, switched)})`);
  t.match(await readyz(s.url), { generation: 2, servers: [{ tools: 2 }], lastReload: { reason: /file changed|changed during reload/, result: 'success' } });
  await finish(t, load);
});

t.test('a change of upstream.baseUrl under load moves every call to the new upstream without a failure', async (t) => {
  const a = await upstreamNamed(t, 'a');
  const b = await upstreamNamed(t, 'b');
  const s = await startTestSidecar(t, { config: configFor(a.url), files: { 'spec.yaml': specOf('one', 'two') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two']], ['a', 'b']);
  await load.warm();

  s.writeConfig(configFor(b.url));
  await nextReload(s.url, undefined, 'success');
  const servedByA = a.requests.length;
  await until('calls to reach upstream b', () => (b.requests.length > 20 ? true : undefined));
  t.equal(a.requests.length, servedByA, 'the old upstream gets nothing once the new config is in');
  await finish(t, load);
});

t.test('a call whose request began before a reload finishes on the config it began with, though its upstream left the new one', async (t) => {
  const a = await upstreamNamed(t, 'a');
  const b = await upstreamNamed(t, 'b');
  const s = await startTestSidecar(t, { config: configFor(a.url), files: { 'spec.yaml': specOf('one', 'two') } });

  // Headers and 10 bytes of the body now; the rest after the reload.
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'one', arguments: {} } }));
  const { port } = new URL(s.url);
  let slow: ReturnType<typeof httpRequest> | undefined;
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, 10));
    slow = req;
  });
  const held = s.holder.current;
  await until('the slow request to hold the first snapshot', () => (s.holder.active === 1 ? true : undefined));

  s.writeConfig(configFor(b.url));
  await nextReload(s.url, undefined, 'success');
  t.not(s.holder.current, held, 'the new config is current');
  const fresh = await post(`${s.url}/mcp`, 'tools/call', { name: 'one', arguments: {} });
  t.match(fresh.body, { result: { structuredContent: { from: 'b' } } }, 'a call that begins now goes to the new upstream');
  slow!.end(body.subarray(10));

  const { status, text } = await answer;
  t.equal(status, 200, 'the slow request is answered');
  t.match(JSON.parse(text), { id: 7, result: { structuredContent: { from: 'a', url: '/one' } } }, 'answered by the upstream of the config it began with');
  t.notOk(JSON.parse(text).result?.isError, `not an error (${text})`);
  t.equal(s.holder.active, 0, 'and the first snapshot is released');
});

t.test('bad YAML, a schema error, a missing spec and a listen change keep the old tools answering, show on /readyz, and a later good edit still applies', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two'), 'other.yaml': specOf('one', 'four') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['four', 'one']], ['a']);
  await load.warm();

  const broken: [string, string, RegExp, object | undefined][] = [
    ['bad YAML', 'servers: [\n', /1 problem/, { message: /^YAML: / }],
    ['a schema error', 'reload: { watch: true, debounce: 50ms }\nservers:\n  - spec: ./spec.yaml\n    sessions: sticky\n', /1 problem/, { path: 'servers[0].sessions', message: /must be one of/ }],
    ['a missing spec', stringify(configFor(up.url, { spec: './gone.yaml' })), /cannot build the servers/, { path: 'servers[0].spec', message: /cannot read spec .*gone\.yaml/ }],
    ['a listen change', stringify({ ...configFor(up.url), listen: { port: 18_182 } }), /listen changed .*restart the sidecar/, undefined],
  ];
  let since: string | undefined;
  for (const [what, text, error, problem] of broken) {
    s.writeConfig(text);
    const last = await nextReload(s.url, since, 'failure');
    since = last.at;
    t.match(last, { result: 'failure', error }, `${what}: /readyz says the reload failed`);
    if (problem) t.match(last.problems, [problem], `${what}: and names the problem`);
    const ready = await readyz(s.url);
    t.equal(ready.generation, 1, `${what}: the first snapshot keeps serving`);
    t.same(load.failures, [], `${what}: no call failed meanwhile`);
  }
  t.ok(load.stageOf.every((x) => x === 0), 'every loop still sees the old tools');

  s.writeConfig(configFor(up.url, { spec: './other.yaml' }));
  await load.reached(1);
  t.match((await readyz(s.url)).lastReload, { result: 'success' }, 'watching never stopped: the good edit is applied');
  await finish(t, load);
});

t.test('deleting the spec file in use fails the reload and keeps serving; putting it back recovers', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['one', 'five']], ['a']);
  await load.warm();

  unlinkSync(path.join(s.dir, 'spec.yaml'));
  const failed = await nextReload(s.url, undefined, 'failure');
  t.match(failed.problems, [{ path: 'servers[0].spec', message: /cannot read spec .*spec\.yaml/ }]);
  t.same(load.failures, [], 'no call failed while the spec was gone');

  writeFileSync(path.join(s.dir, 'spec.yaml'), stringify(specOf('one', 'five')));
  await load.reached(1);
  await finish(t, load);
});

t.test('an editor-style atomic save (write a temp file, rename it over the config) reloads', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two', 'three') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'three', 'two'], ['one', 'two'], ['one']], ['a']);
  await load.warm();

  const tmp = path.join(s.dir, '.config.yaml.swp');
  writeFileSync(tmp, stringify(configFor(up.url, { tools: { exclude: { operations: ['three'] } } })));
  renameSync(tmp, s.configFile);
  await load.reached(1);

  // A second save the same way: the watcher follows the new inode, not the one it started on.
  writeFileSync(tmp, stringify(configFor(up.url, { tools: { include: { operations: ['one'] } } })));
  renameSync(tmp, s.configFile);
  await load.reached(2);
  await finish(t, load);
});

/** A ConfigMap volume as the kubelet lays it out: every key is a symlink through `..data`. */
function configMapDir(t: Test, files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-configmap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const writeVersion = (name: string, content: Record<string, string>) => {
    mkdirSync(path.join(dir, name));
    for (const [f, text] of Object.entries(content)) writeFileSync(path.join(dir, name, f), text);
  };
  writeVersion('..2026_01_01_a', files);
  symlinkSync('..2026_01_01_a', path.join(dir, '..data'));
  for (const f of Object.keys(files)) symlinkSync(path.join('..data', f), path.join(dir, f));
  let current = '..2026_01_01_a';
  return {
    dir,
    /** The kubelet's AtomicWriter: new timestamped dir, `..data_tmp` → it, rename over `..data`, drop the old dir. */
    swap(name: string, content: Record<string, string>) {
      writeVersion(name, content);
      symlinkSync(name, path.join(dir, '..data_tmp'));
      renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
      rmSync(path.join(dir, current), { recursive: true });
      current = name;
    },
  };
}

async function startOn(t: Test, configFile: string): Promise<Sidecar> {
  const s = await startSidecar({ configFile, port: 0, host: '127.0.0.1', log: silentLogger, audit: new AuditLog({ enabled: false, file: undefined }) });
  t.teardown(() => s.close(1000));
  return s;
}

t.test('a Kubernetes ConfigMap update (..data symlink swapped atomically) reloads, and so does the next one', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const cm = configMapDir(t, { 'config.yaml': stringify(configFor(up.url)), 'spec.yaml': stringify(specOf('one', 'two')) });
  const s = await startOn(t, path.join(cm.dir, 'config.yaml'));
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['one', 'six'], ['one', 'seven']], ['a']);
  await load.warm();

  // The spec changes in the same ConfigMap update as the config.
  cm.swap('..2026_01_01_b', { 'config.yaml': stringify(configFor(up.url)), 'spec.yaml': stringify(specOf('one', 'six')) });
  await load.reached(1);
  cm.swap('..2026_01_01_c', { 'config.yaml': stringify(configFor(up.url, { tools: { exclude: { operations: ['two'] } } })), 'spec.yaml': stringify(specOf('one', 'two', 'seven')) });
  await load.reached(2);
  t.match(await readyz(s.url), { generation: 3, lastReload: { result: 'success' } });
  await finish(t, load);
});

t.test('editing a spec file (not the config), kept in another folder than the config, reloads', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const root = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-spec-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'etc'));
  mkdirSync(path.join(root, 'specs'));
  const specFile = path.join(root, 'specs', 'api.yaml');
  writeFileSync(specFile, stringify(specOf('one', 'two')));
  writeFileSync(path.join(root, 'etc', 'config.yaml'), stringify(configFor(up.url, { spec: '../specs/api.yaml' })));
  const s = await startOn(t, path.join(root, 'etc', 'config.yaml'));
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['eight', 'one', 'two']], ['a']);
  await load.warm();

  writeFileSync(specFile, stringify(specOf('one', 'two', 'eight')));
  await load.reached(1);
  t.match((await readyz(s.url)).lastReload, { result: 'success' });
  await finish(t, load);
});

t.test('a burst of saves inside the debounce costs one build and ends on the last save', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const ids = ['one', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'];
  const only = (n: number) => ['one', ...ids.slice(1, n + 1)];
  const config = (n?: number) => configFor(up.url, n ? { tools: { include: { operations: only(n) } } } : {}, '300ms');
  const s = await startTestSidecar(t, { config: config(), files: { 'spec.yaml': specOf(...ids) } });
  const load = startLoad(t, `${s.url}/mcp`, [ids, ...[7, 6, 5, 4, 3, 2, 1].map(only)], ['a']);
  await load.warm();

  // Seven saves in a row, all inside the 300 ms debounce (how spaced triggers fold is proven with a
  // manual clock in test/runtime/reloader.test.ts).
  for (let n = 7; n >= 1; n--) s.writeConfig(config(n));
  await load.reached(7);
  await s.reloadsSettled();
  const ready = await readyz(s.url);
  t.equal(ready.servers[0]!.tools, 2, 'the last save wins');
  t.equal(ready.generation, 2, 'one build for the whole burst');
  t.same([...load.seen].sort(), [0, 7], 'no loop ever saw an intermediate save');
  await finish(t, load);
});

t.test('after a reload points the config at a spec in a new folder, edits to that spec reload too', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['nine', 'one'], ['one', 'ten']], ['a']);
  await load.warm();

  mkdirSync(path.join(s.dir, 'v2'));
  writeFileSync(path.join(s.dir, 'v2', 'api.yaml'), stringify(specOf('one', 'nine')));
  s.writeConfig(configFor(up.url, { spec: './v2/api.yaml' }));
  await load.reached(1);
  writeFileSync(path.join(s.dir, 'v2', 'api.yaml'), stringify(specOf('one', 'ten')));
  await load.reached(2);
  await finish(t, load);
});

t.test('a config that failed for a missing spec is applied once that spec file appears', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['eleven', 'one']], ['a']);
  await load.warm();

  // Config first, spec second: what a deploy that copies files one by one does.
  s.writeConfig(configFor(up.url, { spec: './later.yaml' }));
  const failed = await nextReload(s.url, undefined, 'failure');
  t.match(failed.problems, [{ path: 'servers[0].spec', message: /later\.yaml/ }]);
  await s.reloadsSettled(); // no reload still running or queued that could read later.yaml by chance
  writeFileSync(path.join(s.dir, 'later.yaml'), stringify(specOf('one', 'eleven')));
  await load.reached(1);
  t.match((await readyz(s.url)).lastReload, { result: 'success' }, 'the config is applied once its spec appears');
  await finish(t, load);
});



t.test('a config that failed for a spec in a folder that did not exist yet is applied once folder and spec appear', async (t) => {
  const up = await upstreamNamed(t, 'a');
  const s = await startTestSidecar(t, { config: configFor(up.url), files: { 'spec.yaml': specOf('one', 'two') } });
  const load = startLoad(t, `${s.url}/mcp`, [['one', 'two'], ['one', 'twelve']], ['a']);
  await load.warm();

  s.writeConfig(configFor(up.url, { spec: './v3/api.yaml' }));
  const failed = await nextReload(s.url, undefined, 'failure');
  t.match(failed.problems, [{ path: 'servers[0].spec', message: /v3\/api\.yaml/ }]);
  await s.reloadsSettled();
  // `mkdir -p v3 && cp api.yaml v3/`: both before any watch on v3 can exist.
  mkdirSync(path.join(s.dir, 'v3'));
  writeFileSync(path.join(s.dir, 'v3', 'api.yaml'), stringify(specOf('one', 'twelve')));
  const applied = await load.reached(1, 5000).then(
    () => true,
    (err: Error) => err.message,
  );
  t.equal(applied, true, 'the config is applied once folder and spec appear');
  await finish(t, load);
});
