import { systemClock, type Clock, type Timer } from '../util/clock.js';

export type ReloadResult = 'success' | 'unchanged';

/**
 * Runs reloads one at a time. Triggers are debounced; triggers that arrive while a reload runs
 * are folded into one follow-up, so a burst of edits costs at most two builds and the last edit
 * always wins. A failed reload never stops later ones.
 */
export class Reloader {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly reload: (reason: string) => Promise<ReloadResult>,
    private readonly debounceMs: number,
    private readonly onDone: (reason: string, result: ReloadResult | Error) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  trigger(reason: string): void {
    if (this.closed) return;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.start(reason), this.debounceMs);
    this.timer.unref();
  }

  /** Resolves when no reload is running or queued (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.running && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.settle();
  }

  private settle(): void {
    if (!this.running && !this.timer) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private start(reason: string): void {
    this.timer = undefined;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = (async () => {
      let why = reason;
      do {
        this.pending = false;
        try {
          this.onDone(why, await this.reload(why));
        } catch (err) {
          this.onDone(why, err instanceof Error ? err : new Error(String(err)));
        }
        why = 'changed during reload';
      } while (this.pending && !this.closed);
      this.running = undefined;
      this.settle();
    })();
  }
}
