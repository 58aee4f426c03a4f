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

  constructor(initial: Snapshot) {
    this.currentSnapshot = initial;
  }

  get current(): Snapshot {
    return this.currentSnapshot;
  }

  acquire(): Snapshot {
    const s = this.currentSnapshot;
    this.inFlight.set(s, (this.inFlight.get(s) ?? 0) + 1);
    return s;
  }

  release(s: Snapshot): void {
    const n = (this.inFlight.get(s) ?? 1) - 1;
    if (n > 0) {
      this.inFlight.set(s, n);
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
    let n = 0;
    for (const v of this.inFlight.values()) n += v;
    return n;
  }
}
