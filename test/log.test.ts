// The log and audit destination batches lines and flushes them on a timer; an idle sidecar writes nothing.
import { mkdtempSync, readFileSync } from 'node:fs';
import fs from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { bufferedDestination } from '../src/log.js';
import { ManualClock } from './helpers/clock.js';

/** A batched destination on a fresh file, its flush timer on a manual clock. */
async function openDestination(t: Test) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-log-')), 'out.log');
  const clock = new ManualClock();
  const dest = bufferedDestination({ dest: file }, clock);
  t.teardown(() => dest.end());
  await once(dest, 'ready');
  return { file, clock, dest };
}

t.test('a line is written at the next flush tick, not before, and an idle destination makes no writes', async (t) => {
  const { file, clock, dest } = await openDestination(t);

  const writes: unknown[] = [];
  const spy = fs.write;
  fs.write = ((...args: Parameters<typeof fs.write>) => {
    writes.push(args[1]);
    return (spy as (...a: unknown[]) => void)(...args);
  }) as typeof fs.write;
  t.teardown(() => {
    fs.write = spy;
  });

  dest.write('{"msg":"one"}\n');
  clock.tick(249);
  t.same(writes, [], 'a line under 4 kB waits for the flush tick');
  let written = once(dest, 'write');
  clock.tick(1);
  t.equal(writes.length, 1, 'the tick writes it, without reaching 4 kB');
  await written;
  t.equal(readFileSync(file, 'utf8'), '{"msg":"one"}\n');

  clock.tick(750);
  t.equal(writes.length, 1, 'three flush intervals with nothing logged: no writes');

  dest.write('{"msg":"two"}\n');
  dest.write('{"msg":"three"}\n');
  written = once(dest, 'write');
  clock.tick(250);
  t.equal(writes.length, 2, 'one write for the next two lines');
  await written;
  t.equal(readFileSync(file, 'utf8'), '{"msg":"one"}\n{"msg":"two"}\n{"msg":"three"}\n');
});

t.test('4 kB of lines are written at once, without waiting for the tick', async (t) => {
  const { file, clock, dest } = await openDestination(t);
  const line = `{"msg":"${'x'.repeat(1000)}"}\n`;
  const written = once(dest, 'write');
  for (let i = 0; i < 5; i++) dest.write(line);
  await written;
  t.equal(clock.now(), 0, 'no time passed');
  t.equal(readFileSync(file, 'utf8'), line.repeat(5));
});
