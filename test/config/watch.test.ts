import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileWatcher } from '../../src/config/watch.js';
import { ManualClock } from '../helpers/clock.js';
import { until } from '../helpers/wait.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a folder that does not exist yet is retried every second and reported once it is there', async (t) => {
  const root = tempDir(t);
  const spec = path.join(root, 'v3', 'api.yaml');
  const clock = new ManualClock();
  const changes: string[] = [];
  const errors: string[] = [];
  const watcher = createFileWatcher([spec], (f) => changes.push(f), (err) => errors.push((err as NodeJS.ErrnoException).code ?? err.message), clock);
  t.teardown(() => watcher.close());
  t.same(errors, ['ENOENT'], 'the missing folder is reported as an error, not thrown');

  clock.tick(1000);
  t.same(errors, ['ENOENT', 'ENOENT'], 'retried after a second, still missing');
  t.same(changes, []);

  // `mkdir -p v3 && cp api.yaml v3/` between two retries: no watch on v3 could have seen the write.
  mkdirSync(path.dirname(spec));
  writeFileSync(spec, 'openapi: 3.0.3\n');
  clock.tick(999);
  t.same(changes, [], 'not before the next retry');
  clock.tick(1);
  t.same(changes, [path.dirname(spec)], 'the folder is reported once its watch opens');
  t.equal(errors.length, 2, 'and no more errors');

  clock.tick(5000);
  t.same(changes, [path.dirname(spec)], 'an open watch is not retried again');
  writeFileSync(spec, 'openapi: 3.0.3\ninfo: {}\n');
  await until('the edit to be reported by the new watch', () => (changes.includes(spec) ? true : undefined));
});

t.test('close() stops the retries', async (t) => {
  const root = tempDir(t);
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const watcher = createFileWatcher([path.join(root, 'missing', 'api.yaml')], () => {}, (err) => errors.push(err), clock);
  watcher.close();
  t.equal(clock.pending, 0, 'no retry timer left');
  clock.tick(10_000);
  t.equal(errors.length, 1);
});
