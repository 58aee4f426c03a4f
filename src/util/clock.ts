/** A timer a clock hands out: `unref` keeps it from holding the process open, as Node's does. */
export interface Timer {
  unref(): unknown;
}

/**
 * Time as the sidecar's timers see it. Production code takes `systemClock`; tests pass a manual
 * clock and move it forward instead of sleeping (test/helpers/clock.ts).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
  setInterval(fn: () => void, ms: number): Timer;
  clearInterval(timer: Timer | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout | undefined),
};
