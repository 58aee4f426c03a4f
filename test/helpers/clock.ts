import type { Clock, Timer } from '../../src/util/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  every: number | undefined;
}

/** A clock that only moves when told to: `tick(ms)` runs every timer due by then, in order. */
export class ManualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<Timer, Pending>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(timer: Timer | undefined): void {
    if (timer) this.timers.delete(timer);
  }

  clearInterval(timer: Timer | undefined): void {
    if (timer) this.timers.delete(timer);
  }

  /** Timers not yet run or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running each due timer at its own time (intervals repeatedly). */
  tick(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [Timer, Pending] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))) next = entry;
      }
      if (!next) break;
      const [timer, p] = next;
      this.time = p.at;
      if (p.every === undefined) this.timers.delete(timer);
      else Object.assign(p, { at: p.at + p.every, seq: this.seq++ });
      p.fn();
    }
    this.time = end;
  }

  private add(fn: () => void, ms: number, every: number | undefined): Timer {
    const timer: Timer = { unref: () => timer };
    this.timers.set(timer, { at: this.time + Math.max(0, ms), seq: this.seq++, fn, every });
    return timer;
  }
}

/** Lets promise callbacks queued so far (and those they queue) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}
