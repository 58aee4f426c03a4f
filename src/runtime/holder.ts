import { systemClock, type Clock } from '../util/clock.js';
import type { Snapshot } from './snapshot.js';

/**
 * Holds the current snapshot. Requests `acquire` one and `release` it when done, so a swap
 * never pulls a config from under an in-flight call; the old snapshot is disposed when its
 * last request finishes.
 */
export class SnapshotHolder {
  private currentSnapshot: Snapshot;
  private readonly inFlight = new Map<Snapshot, number>();
  private readonly retired = new Set<Snapshot>();
  private running = 0;
  /** Called when the last request in flight is released (shutdown waiting to drain). */
  private readonly drainWaiters = new Set<() => void>();

  constructor(initial: Snapshot) {
    this.currentSnapshot = initial;
  }

  get current(): Snapshot {
    return this.currentSnapshot;
  }

  acquire(): Snapshot {
    const s = this.currentSnapshot;
    this.inFlight.set(s, (this.inFlight.get(s) ?? 0) + 1);
    this.running++;
    return s;
  }

  release(s: Snapshot): void {
    const n = this.inFlight.get(s);
    if (n === undefined) return;
    if (--this.running === 0 && this.drainWaiters.size > 0) for (const w of [...this.drainWaiters]) w();
    if (n > 1) {
      this.inFlight.set(s, n - 1);
      return;
    }
    this.inFlight.delete(s);
    if (this.retired.delete(s)) s.dispose();
  }

  /** Makes `next` current; the previous one is disposed once no request holds it. */
  swap(next: Snapshot): Snapshot {
    const prev = this.currentSnapshot;
    this.currentSnapshot = next;
    if (this.inFlight.has(prev)) this.retired.add(prev);
    else prev.dispose();
    return prev;
  }

  /** Requests still running, over all snapshots. */
  get active(): number {
    return this.running;
  }

  /**
   * Resolves true once no request is running, or false when `graceMs` passes first (shutdown: stop
   * accepting, then wait for the calls in flight, but not forever).
   */
  drained(graceMs: number, clock: Clock = systemClock): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clock.clearTimeout(timer);
        this.drainWaiters.delete(drained);
        resolve(ok);
      };
      const drained = () => done(true);
      const timer = clock.setTimeout(() => done(false), graceMs);
      this.drainWaiters.add(drained);
    });
  }
}
