import t from 'tap';
import { SnapshotHolder } from '../../src/runtime/holder.js';
import type { Snapshot } from '../../src/runtime/index.js';
import { ManualClock, settle } from '../helpers/clock.js';

/** A snapshot that only records its disposal (the holder reads nothing else). */
const snapshot = (generation: number) => {
  const s = { generation, disposed: 0, dispose: () => s.disposed++ };
  return s as typeof s & Snapshot;
};

t.test('a swapped-out snapshot is disposed at once when no request holds it', async (t) => {
  const a = snapshot(1);
  const holder = new SnapshotHolder(a);
  holder.swap(snapshot(2));
  t.equal(a.disposed, 1);
});

t.test('a swapped-out snapshot is disposed when its last request is released, once', async (t) => {
  const a = snapshot(1);
  const holder = new SnapshotHolder(a);
  const r1 = holder.acquire();
  const r2 = holder.acquire();
  const b = snapshot(2);
  holder.swap(b);
  t.equal(holder.current, b);
  t.equal(holder.acquire(), b, 'a request that begins now takes the new one');
  holder.release(r1);
  t.equal(a.disposed, 0, 'one request still holds it');
  holder.release(r2);
  t.equal(a.disposed, 1, 'disposed with its last request');
  holder.release(r2);
  t.equal(a.disposed, 1, 'a second release of the same request changes nothing');
  t.equal(holder.active, 1, 'the request on the new snapshot still counts');
});

t.test('drained() resolves true when the last request in flight is released, without the clock moving', async (t) => {
  const clock = new ManualClock();
  const holder = new SnapshotHolder(snapshot(1));
  const r1 = holder.acquire();
  holder.swap(snapshot(2));
  const r2 = holder.acquire();
  let result: boolean | undefined;
  void holder.drained(1000, clock).then((ok) => (result = ok));
  holder.release(r1);
  await settle();
  t.equal(result, undefined, 'one request is still running');
  holder.release(r2);
  await settle();
  t.equal(result, true);
  t.equal(clock.pending, 0, 'the grace timer is cleared');
});

t.test('drained() resolves false when the grace period ends first', async (t) => {
  const clock = new ManualClock();
  const holder = new SnapshotHolder(snapshot(1));
  const r = holder.acquire();
  let result: boolean | undefined;
  void holder.drained(500, clock).then((ok) => (result = ok));
  clock.tick(499);
  await settle();
  t.equal(result, undefined, 'not before the grace period ends');
  clock.tick(1);
  await settle();
  t.equal(result, false);
  holder.release(r);
  t.equal(holder.active, 0);
});

t.test('drained() with nothing in flight resolves true at once, and two waiters both resolve', async (t) => {
  const clock = new ManualClock();
  const holder = new SnapshotHolder(snapshot(1));
  t.equal(await holder.drained(10, clock), true);
  const r = holder.acquire();
  const both = Promise.all([holder.drained(10, clock), holder.drained(1000, clock)]);
  holder.release(r);
  t.same(await both, [true, true]);
});
