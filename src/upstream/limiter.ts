import { AppError } from '../errors.js';
import { systemClock, type Clock } from '../util/clock.js';

/**
 * At most `max` upstream calls in flight; later ones wait in order, up to `waitMs`, then fail with
 * UPSTREAM_CONCURRENCY_LIMIT instead of piling up without bound.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly waitMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await this.wait();
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        const i = this.queue.indexOf(go);
        if (i !== -1) this.queue.splice(i, 1);
        reject(new AppError('UPSTREAM_CONCURRENCY_LIMIT', `the sidecar is at its limit of ${this.max} concurrent upstream calls (limits.maxConcurrentUpstream); try again shortly`));
      }, this.waitMs);
      const go = () => {
        this.clock.clearTimeout(timer);
        resolve();
      };
      this.queue.push(go);
    });
  }

  get inFlight(): number {
    return this.active;
  }
}
