// The log and audit destination batches lines and flushes them on a timer; an idle sidecar writes nothing.
import { mkdtempSync, readFileSync } from 'node:fs';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { bufferedDestination } from '../src/log.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a line shows within the flush interval, and an idle destination makes no writes', async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-log-')), 'out.log');
  const dest = bufferedDestination({ dest: file });
  t.teardown(() => dest.end());
  await new Promise((r) => dest.once('ready', r));
  dest.write('{"msg":"one"}\n');
  await sleep(400);
  t.equal(readFileSync(file, 'utf8'), '{"msg":"one"}\n', 'the line was flushed without reaching 4 kB');

  const writes: unknown[] = [];
  const spy = fs.write;
  fs.write = ((...args: Parameters<typeof fs.write>) => {
    writes.push(args[1]);
    return (spy as (...a: unknown[]) => void)(...args);
  }) as typeof fs.write;
  t.teardown(() => {
    fs.write = spy;
  });
  await sleep(800);
  t.same(writes, [], 'three flush intervals with nothing logged: no writes');
  dest.write('{"msg":"two"}\n');
  await sleep(400);
  t.equal(writes.length, 1, 'one write for the next line');
  t.equal(readFileSync(file, 'utf8'), '{"msg":"one"}\n{"msg":"two"}\n');
});
