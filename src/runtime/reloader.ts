export type ReloadResult = 'success' | 'unchanged';

/**
 * Runs reloads one at a time. Triggers are debounced; triggers that arrive while a reload runs
 * are folded into one follow-up, so a burst of edits costs at most two builds and the last edit
 * always wins. A failed reload never stops later ones.
 */
export class Reloader {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private closed = false;

  constructor(
    private readonly reload: (reason: string) => Promise<ReloadResult>,
    private readonly debounceMs: number,
    private readonly onDone: (reason: string, result: ReloadResult | Error) => void,
  ) {}

  trigger(reason: string): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(reason), this.debounceMs);
    this.timer.unref();
  }

  /** Resolves when no reload is running or queued (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.timer) {
      if (this.running) await this.running;
      else await new Promise((r) => setTimeout(r, this.debounceMs));
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
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
    })();
  }
}
