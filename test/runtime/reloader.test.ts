import t from 'tap';
import { Reloader, type ReloadResult } from '../../src/runtime/reloader.js';
import { ManualClock, settle } from '../helpers/clock.js';

/** A Reloader over a reload function the test finishes by hand; records every run and result. */
function setup(debounceMs = 100) {
  const clock = new ManualClock();
  const runs: string[] = [];
  const results: [string, ReloadResult | string][] = [];
  let finish: ((r: ReloadResult | Error) => void) | undefined;
  const reloader = new Reloader(
    (reason) => {
      runs.push(reason);
      return new Promise<ReloadResult>((resolve, reject) => {
        finish = (r) => (r instanceof Error ? reject(r) : resolve(r));
      });
    },
    debounceMs,
    (reason, result) => results.push([reason, result instanceof Error ? `error: ${result.message}` : result]),
    clock,
  );
  /** Ends the running reload and lets the Reloader react. */
  const end = async (r: ReloadResult | Error = 'success') => {
    finish!(r);
    await settle();
  };
  return { clock, reloader, runs, results, end };
}

t.test('triggers inside the debounce fold into one reload, started when the last one is debounceMs old', async (t) => {
  const { clock, reloader, runs, end, results } = setup(100);
  reloader.trigger('file changed');
  clock.tick(60);
  reloader.trigger('file changed');
  clock.tick(60);
  reloader.trigger('SIGHUP');
  clock.tick(99);
  t.same(runs, [], 'each trigger restarts the debounce');
  clock.tick(1);
  t.same(runs, ['SIGHUP'], 'one reload, with the last reason');
  await end();
  t.same(results, [['SIGHUP', 'success']]);
});

t.test('triggers while a reload runs cost one follow-up reload, not one each', async (t) => {
  const { clock, reloader, runs, end, results } = setup(100);
  reloader.trigger('file changed');
  clock.tick(100);
  t.same(runs, ['file changed']);
  for (let i = 0; i < 5; i++) {
    reloader.trigger('file changed');
    clock.tick(100);
  }
  t.same(runs, ['file changed'], 'never two at once');
  await end('success');
  t.same(runs, ['file changed', 'changed during reload'], 'one follow-up');
  await end('unchanged');
  clock.tick(1000);
  t.same(runs, ['file changed', 'changed during reload'], 'and nothing after it');
  t.same(results, [['file changed', 'success'], ['changed during reload', 'unchanged']]);
});

t.test('a failed reload is reported and later triggers still reload', async (t) => {
  const { clock, reloader, runs, end, results } = setup(10);
  reloader.trigger('file changed');
  clock.tick(10);
  await end(new Error('bad YAML'));
  reloader.trigger('file changed');
  clock.tick(10);
  await end('success');
  t.same(runs, ['file changed', 'file changed']);
  t.same(results, [['file changed', 'error: bad YAML'], ['file changed', 'success']]);
});

t.test('idle() resolves once nothing is queued or running', async (t) => {
  const { clock, reloader, end } = setup(100);
  t.equal(await Promise.race([reloader.idle().then(() => 'idle'), settle().then(() => 'waiting')]), 'idle', 'idle at once when nothing was triggered');
  let idle = false;
  reloader.trigger('file changed');
  void reloader.idle().then(() => (idle = true));
  clock.tick(100);
  await settle();
  t.equal(idle, false, 'a reload is running');
  reloader.trigger('file changed');
  await end();
  t.equal(idle, false, 'a trigger is still debouncing');
  clock.tick(100);
  await end();
  t.equal(idle, true);
});

t.test('close() drops a queued trigger, ignores later ones and settles idle()', async (t) => {
  const { clock, reloader, runs } = setup(100);
  reloader.trigger('file changed');
  const idle = reloader.idle();
  reloader.close();
  await idle;
  reloader.trigger('SIGHUP');
  clock.tick(1000);
  t.same(runs, []);
  t.equal(clock.pending, 0, 'no timer left');
});
