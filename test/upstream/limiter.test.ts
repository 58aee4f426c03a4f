import t from 'tap';
import { isAppError } from '../../src/errors.js';
import { ConcurrencyLimiter } from '../../src/upstream/limiter.js';
import { ManualClock, settle } from '../helpers/clock.js';

/** A call the test ends by hand. */
function call() {
  let end!: () => void;
  const done = new Promise<void>((r) => (end = r));
  return { fn: () => done, end };
}

t.test('calls over the limit wait in order and run as slots free up', async (t) => {
  const clock = new ManualClock();
  const limiter = new ConcurrencyLimiter(2, 1000, clock);
  const calls = [call(), call(), call(), call()];
  const order: number[] = [];
  const runs = calls.map((c, i) => limiter.run(() => (order.push(i), c.fn())));
  await settle();
  t.same(order, [0, 1], 'two run, two wait');
  t.equal(limiter.inFlight, 2);
  calls[1]!.end();
  await settle();
  t.same(order, [0, 1, 2], 'the first waiting call takes the freed slot');
  calls[0]!.end();
  await settle();
  t.same(order, [0, 1, 2, 3]);
  calls[2]!.end();
  calls[3]!.end();
  await Promise.all(runs);
  t.equal(limiter.inFlight, 0);
  t.equal(clock.pending, 0, 'no wait timer is left behind');
});

t.test('a call that waits longer than waitMs fails with UPSTREAM_CONCURRENCY_LIMIT and leaves the queue', async (t) => {
  const clock = new ManualClock();
  const limiter = new ConcurrencyLimiter(1, 1000, clock);
  const first = call();
  const running = limiter.run(first.fn);
  let ran = false;
  const waiting = limiter.run(async () => {
    ran = true;
  });
  const outcome = waiting.then(
    () => 'ran',
    (err: unknown) => err,
  );
  clock.tick(999);
  await settle();
  t.equal(ran, false, 'still waiting');
  clock.tick(1);
  const err = await outcome;
  t.ok(isAppError(err, 'UPSTREAM_CONCURRENCY_LIMIT'), 'its own code, not UPSTREAM_FAILED');
  t.match((err as Error).message, /limit of 1 concurrent upstream calls \(limits\.maxConcurrentUpstream\)/);
  first.end();
  await running;
  t.equal(ran, false, 'the timed-out call never runs');
  t.equal(limiter.inFlight, 0);
});
